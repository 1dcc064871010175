package adapter

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// ParseRoutes reads a routing table from configuration text: either a JSON object
// {"provisioning-adapter": "https://..."} or "system=url,system=url". Unknown systems are refused
// so a typo cannot silently send a system's calls to the default base URL.
func ParseRoutes(text string) (map[string]string, error) {
	routes := map[string]string{}
	text = strings.TrimSpace(text)
	switch {
	case text == "":
		return routes, nil
	case strings.HasPrefix(text, "{"):
		if err := json.Unmarshal([]byte(text), &routes); err != nil {
			return nil, fmt.Errorf("adapter routes: %w", err)
		}
	default:
		for _, pair := range strings.Split(text, ",") {
			sys, u, ok := strings.Cut(strings.TrimSpace(pair), "=")
			if !ok || sys == "" || u == "" {
				return nil, fmt.Errorf("adapter routes: %q is not system=url", pair)
			}
			routes[strings.TrimSpace(sys)] = strings.TrimSpace(u)
		}
	}
	for sys := range routes {
		if !slices.Contains(Systems, sys) {
			return nil, fmt.Errorf("adapter routes: unknown system %q (known: %s)", sys, strings.Join(Systems, ", "))
		}
	}
	return routes, nil
}
