package httpapi

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// MinTokenLength is the shortest bearer token accepted in configuration: a
// short token can be guessed, and it is the only thing guarding a tenant.
const MinTokenLength = 16

// Tokens maps a bearer token to the tenant it acts for.
type Tokens map[string]string

// ParseTokens reads tokens from configuration text: a JSON object
// {"token": "tenant"}, a list "token=tenant,token=tenant", or "@path" to a
// file holding either form.
func ParseTokens(text string) (Tokens, error) {
	text = strings.TrimSpace(text)
	if path, ok := strings.CutPrefix(text, "@"); ok {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("api tokens: %w", err)
		}
		text = strings.TrimSpace(string(b))
	}
	out := Tokens{}
	switch {
	case text == "":
	case strings.HasPrefix(text, "{"):
		if err := json.Unmarshal([]byte(text), &out); err != nil {
			return nil, fmt.Errorf("api tokens: not a JSON object of token to tenant: %w", err)
		}
	default:
		for _, pair := range strings.Split(text, ",") {
			token, tenant, ok := strings.Cut(strings.TrimSpace(pair), "=")
			if !ok {
				return nil, fmt.Errorf("api tokens: an entry is not token=tenant")
			}
			out[strings.TrimSpace(token)] = strings.TrimSpace(tenant)
		}
	}
	return out, out.Validate()
}

// Validate refuses short tokens and tokens bound to no tenant. Error
// messages name the tenant, never the token.
func (t Tokens) Validate() error {
	for token, tenant := range t {
		if tenant == "" || len(tenant) > 64 {
			return fmt.Errorf("api tokens: a token is bound to an empty or over-long tenant %q", tenant)
		}
		if len(token) < MinTokenLength {
			return fmt.Errorf("api tokens: a token of tenant %q is shorter than %d characters", tenant, MinTokenLength)
		}
	}
	return nil
}

// tokenIndex looks tokens up by their SHA-256, so the lookup time does not
// depend on how much of a guessed token matches a real one.
type tokenIndex map[[sha256.Size]byte]string

func newTokenIndex(t Tokens) tokenIndex {
	idx := make(tokenIndex, len(t))
	for token, tenant := range t {
		idx[sha256.Sum256([]byte(token))] = tenant
	}
	return idx
}

// tenantOf returns the tenant of a token, or "" for an unknown one.
func (idx tokenIndex) tenantOf(token string) string {
	return idx[sha256.Sum256([]byte(token))]
}
