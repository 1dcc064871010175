package callback

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// EnvSecrets names the variable holding the tenant secrets; the OMS API and the simulator read
// the same one so a local stack signs and verifies with one value.
const EnvSecrets = "ORDERFLEET_CALLBACK_SECRETS"

// Secrets maps a tenant to the shared secret its partners sign callbacks with.
type Secrets map[string]string

// ParseSecrets reads secrets from configuration text: a JSON object {"tenant-a": "secret"}, a
// list "tenant-a=secret,tenant-b=secret", or "@path" to a file holding either form.
func ParseSecrets(text string) (Secrets, error) {
	text = strings.TrimSpace(text)
	if path, ok := strings.CutPrefix(text, "@"); ok {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("callback secrets: %w", err)
		}
		text = strings.TrimSpace(string(b))
	}
	out := Secrets{}
	switch {
	case text == "":
	case strings.HasPrefix(text, "{"):
		if err := json.Unmarshal([]byte(text), &out); err != nil {
			return nil, fmt.Errorf("callback secrets: not a JSON object of tenant to secret: %w", err)
		}
	default:
		for _, pair := range strings.Split(text, ",") {
			tenant, secret, ok := strings.Cut(strings.TrimSpace(pair), "=")
			if !ok || strings.TrimSpace(tenant) == "" {
				return nil, fmt.Errorf("callback secrets: an entry is not tenant=secret")
			}
			out[strings.TrimSpace(tenant)] = strings.TrimSpace(secret)
		}
	}
	return out, out.Validate()
}

// Validate refuses empty and short secrets: an HMAC is only as strong as its key.
func (s Secrets) Validate() error {
	for tenant, secret := range s {
		if len(secret) < 16 {
			return fmt.Errorf("callback secret of tenant %q is shorter than 16 characters", tenant)
		}
	}
	return nil
}
