package app

import (
	"bytes"
	"strings"
	"testing"

	"github.com/orderfleet/orderfleet/internal/config"
)

// The Camunda 8 settings parse from flags and the environment, and the client secret shows in
// neither --help nor the start-up summary.
func TestZeebeConnectionSettingsParseAndMaskTheSecret(t *testing.T) {
	t.Setenv("ORDERFLEET_ZEEBE_CLIENT_SECRET", "very-secret-value")
	t.Setenv("ORDERFLEET_ZEEBE_TLS", "true")
	var c Common
	s := config.New("test-binary", "about")
	c.Register(s, "127.0.0.1:0")
	err := s.Parse([]string{"--zeebe-address", "abc.bru-2.zeebe.camunda.io:443", "--zeebe-client-id", "fleet",
		"--zeebe-authorization-server-url", "https://login.cloud.camunda.io/oauth/token",
		"--zeebe-token-audience", "zeebe.camunda.io", "--zeebe-ca-file", ""}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	conn := c.Connection()
	if conn.Address != "abc.bru-2.zeebe.camunda.io:443" || !conn.TLS || conn.ClientID != "fleet" ||
		conn.ClientSecret != "very-secret-value" || conn.Audience != "zeebe.camunda.io" ||
		conn.AuthorizationServerURL != "https://login.cloud.camunda.io/oauth/token" {
		t.Fatalf("connection = %+v", conn)
	}
	if err := conn.Validate(); err != nil {
		t.Errorf("a complete SaaS connection does not validate: %v", err)
	}
	summary := strings.Join(s.Summary(), " ")
	if strings.Contains(summary, "very-secret-value") || !strings.Contains(summary, "zeebe-client-id=fleet") {
		t.Errorf("summary shows the secret or lacks the client id: %s", summary)
	}
	var help bytes.Buffer
	s.PrintHelp(&help)
	if strings.Contains(help.String(), "very-secret-value") || !strings.Contains(help.String(), "ORDERFLEET_ZEEBE_CLIENT_SECRET") {
		t.Errorf("--help shows the secret or does not list it:\n%s", help.String())
	}
}
