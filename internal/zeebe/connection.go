package zeebe

import (
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/camunda/zeebe/clients/go/v8/pkg/zbc"
	"golang.org/x/oauth2"
)

// Connection is how a binary reaches a Zeebe gateway: orderfleet's engine on loopback (plaintext,
// no credentials), or a licensed Camunda 8 cluster (TLS, OAuth client credentials).
type Connection struct {
	Address string
	// TLS turns transport security on; CAFile trusts a private CA instead of the system's roots.
	TLS    bool
	CAFile string
	// OAuth client credentials, all four or none (Camunda 8 SaaS and Self-Managed with Identity).
	ClientID, ClientSecret, AuthorizationServerURL, Audience string
}

// usesOAuth reports whether any OAuth setting is given; Validate then requires all of them.
func (c Connection) usesOAuth() bool {
	return c.ClientID != "" || c.ClientSecret != "" || c.AuthorizationServerURL != "" || c.Audience != ""
}

// Validate names what is missing or contradictory, before anything is dialled.
func (c Connection) Validate() error {
	var errs []error
	if c.Address == "" {
		errs = append(errs, errors.New("no Zeebe gateway address"))
	}
	if c.CAFile != "" && !c.TLS {
		errs = append(errs, fmt.Errorf("a CA file (%s) is set but TLS is off; set --zeebe-tls", c.CAFile))
	}
	if c.CAFile != "" {
		if _, err := os.Stat(c.CAFile); err != nil {
			errs = append(errs, fmt.Errorf("CA file: %w", err))
		}
	}
	if c.usesOAuth() {
		for name, v := range map[string]string{
			"client id": c.ClientID, "client secret": c.ClientSecret,
			"authorization server URL": c.AuthorizationServerURL, "token audience": c.Audience,
		} {
			if v == "" {
				errs = append(errs, fmt.Errorf("OAuth is partly configured: the %s is missing", name))
			}
		}
		if !c.TLS {
			errs = append(errs, errors.New("OAuth needs TLS (a token over plaintext would be readable on the wire); set --zeebe-tls"))
		}
	}
	return errors.Join(errs...)
}

// String describes the connection for logs and errors, never showing the client secret.
func (c Connection) String() string {
	s := c.Address
	if c.TLS {
		s += " (TLS"
		if c.CAFile != "" {
			s += ", CA " + c.CAFile
		}
		s += ")"
	} else {
		s += " (plaintext)"
	}
	if c.usesOAuth() {
		s += fmt.Sprintf(" OAuth client %s at %s for %s", c.ClientID, c.AuthorizationServerURL, c.Audience)
	}
	return s
}

// Credentials is the OAuth credentials provider of the connection, or nil without OAuth. The REST
// clients (engineapi) take it too, so REST and gRPC calls carry the same token.
func (c Connection) Credentials() (zbc.CredentialsProvider, error) {
	if !c.usesOAuth() {
		return nil, nil
	}
	p, err := zbc.NewOAuthCredentialsProvider(&zbc.OAuthProviderConfig{
		ClientID: c.ClientID, ClientSecret: c.ClientSecret,
		AuthorizationServerURL: c.AuthorizationServerURL, Audience: c.Audience,
		Cache: &memoryTokenCache{tokens: map[string]*oauth2.Token{}},
	})
	if err != nil {
		return nil, fmt.Errorf("OAuth credentials for client %s: %w", c.ClientID, err)
	}
	return p, nil
}

// config is the Go client's configuration for the connection.
func (c Connection) config() (*zbc.ClientConfig, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	creds, err := c.Credentials()
	if err != nil {
		return nil, err
	}
	return &zbc.ClientConfig{
		GatewayAddress:         c.Address,
		UsePlaintextConnection: !c.TLS,
		CaCertificatePath:      c.CAFile,
		CredentialsProvider:    creds,
		KeepAlive:              keepAlive,
		UserAgent:              "orderfleet",
	}, nil
}

// memoryTokenCache keeps tokens in the process: the client's default cache writes a file under
// $HOME, which a read-only container may not have.
type memoryTokenCache struct {
	mu     sync.Mutex
	tokens map[string]*oauth2.Token
}

func (m *memoryTokenCache) Refresh() error { return nil }

func (m *memoryTokenCache) Get(audience string) *oauth2.Token {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.tokens[audience]
}

func (m *memoryTokenCache) Update(audience string, token *oauth2.Token) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.tokens[audience] = token
	return nil
}
