package store

import (
	"bytes"
	"encoding/json"

	"github.com/orderfleet/orderfleet/internal/engine/runtime"
)

// parseVars reads a request's variables: empty means none; anything but a JSON object is
// INVALID_ARGUMENT. Numbers keep their exact text (RawMessage).
func parseVars(what, text string) (runtime.Vars, error) {
	trimmed := bytes.TrimSpace([]byte(text))
	if len(trimmed) == 0 {
		return runtime.Vars{}, nil
	}
	if trimmed[0] != '{' {
		return nil, invalid("expected %s to be a JSON object, but got %q", what, abbreviate(string(trimmed)))
	}
	var v runtime.Vars
	if err := json.Unmarshal(trimmed, &v); err != nil {
		return nil, invalid("expected %s to be a JSON object: %v", what, err)
	}
	if v == nil {
		v = runtime.Vars{}
	}
	return v, nil
}

func abbreviate(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}

// filterVars keeps the named variables (all when names is empty) and encodes them.
func filterVars(v runtime.Vars, names []string) string {
	if v == nil {
		v = runtime.Vars{}
	}
	if len(names) > 0 {
		kept := runtime.Vars{}
		for _, n := range names {
			if val, ok := v[n]; ok {
				kept[n] = val
			}
		}
		v = kept
	}
	out, err := json.Marshal(v)
	if err != nil {
		return "{}"
	}
	return string(out)
}
