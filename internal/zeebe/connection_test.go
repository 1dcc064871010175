package zeebe

import (
	"strings"
	"testing"
)

func TestConnectionValidateNamesWhatIsWrong(t *testing.T) {
	full := Connection{Address: "abc.bru-2.zeebe.camunda.io:443", TLS: true, ClientID: "id", ClientSecret: "s3cret",
		AuthorizationServerURL: "https://login.cloud.camunda.io/oauth/token", Audience: "zeebe.camunda.io"}
	cases := []struct {
		name string
		conn func(c Connection) Connection
		want string // "" means valid
	}{
		{"Camunda 8 SaaS", func(c Connection) Connection { return c }, ""},
		{"local engine", func(Connection) Connection { return Connection{Address: "127.0.0.1:26500"} }, ""},
		{"no address", func(c Connection) Connection { c.Address = ""; return c }, "no Zeebe gateway address"},
		{"partial OAuth", func(c Connection) Connection { c.Audience = ""; return c }, "token audience is missing"},
		{"OAuth without TLS", func(c Connection) Connection { c.TLS = false; return c }, "OAuth needs TLS"},
		{"CA without TLS", func(c Connection) Connection { c.TLS = false; c.CAFile = "/etc/ca.pem"; return c }, "TLS is off"},
		{"missing CA file", func(c Connection) Connection { c.CAFile = "/nonexistent/ca.pem"; return c }, "CA file"},
	}
	for _, c := range cases {
		err := c.conn(full).Validate()
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: error %v, want one that says %q", c.name, err, c.want)
		}
	}
}

func TestConnectionStringNeverShowsTheSecret(t *testing.T) {
	c := Connection{Address: "gw:443", TLS: true, ClientID: "fleet", ClientSecret: "s3cret-value",
		AuthorizationServerURL: "https://idp/token", Audience: "zeebe-api"}
	s := c.String()
	if strings.Contains(s, "s3cret") || !strings.Contains(s, "fleet") || !strings.Contains(s, "TLS") {
		t.Errorf("String() = %q", s)
	}
	if _, err := c.config(); err != nil {
		t.Fatalf("a complete OAuth connection builds a client config: %v", err)
	}
	if _, err := DialConnection(t.Context(), Connection{Address: "gw:443", ClientID: "fleet", ClientSecret: "s3cret-value"}); err == nil ||
		strings.Contains(err.Error(), "s3cret") {
		t.Errorf("dialling a half-configured connection: %v (must fail, without the secret)", err)
	}
}
