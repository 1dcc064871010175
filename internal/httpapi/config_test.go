package httpapi_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orderfleet/orderfleet/internal/httpapi"
)

func TestParseTokens(t *testing.T) {
	want := httpapi.Tokens{"aaaaaaaaaaaaaaaa1": "tenant-a", "bbbbbbbbbbbbbbbb2": "tenant-b"}
	file := filepath.Join(t.TempDir(), "tokens.json")
	must(t, os.WriteFile(file, []byte(`{"aaaaaaaaaaaaaaaa1": "tenant-a", "bbbbbbbbbbbbbbbb2": "tenant-b"}`), 0o600))
	for _, text := range []string{
		`{"aaaaaaaaaaaaaaaa1": "tenant-a", "bbbbbbbbbbbbbbbb2": "tenant-b"}`,
		"aaaaaaaaaaaaaaaa1=tenant-a, bbbbbbbbbbbbbbbb2=tenant-b",
		"@" + file,
	} {
		got, err := httpapi.ParseTokens(text)
		if err != nil || len(got) != 2 || got["aaaaaaaaaaaaaaaa1"] != want["aaaaaaaaaaaaaaaa1"] || got["bbbbbbbbbbbbbbbb2"] != want["bbbbbbbbbbbbbbbb2"] {
			t.Fatalf("%q: %v %v", text, got, err)
		}
	}
	for _, bad := range []string{"short=tenant-a", "aaaaaaaaaaaaaaaa1", "aaaaaaaaaaaaaaaa1=", `{"aaaaaaaaaaaaaaaa1": 7}`, "@/nonexistent/tokens"} {
		if _, err := httpapi.ParseTokens(bad); err == nil {
			t.Errorf("%q accepted", bad)
		} else if strings.Contains(err.Error(), "aaaaaaaaaaaaaaaa1") {
			t.Errorf("error names the token: %v", err)
		}
	}
}

func TestSettingsRefuseAnAPIWithoutTokens(t *testing.T) {
	t.Setenv("ORDERFLEET_API_TOKENS", "")
	st, set := httpapi.NewSettings()
	must(t, set.Parse(nil, &bytes.Buffer{}))
	if _, err := st.Config(); err == nil || !strings.Contains(err.Error(), "no bearer tokens") {
		t.Fatalf("config without tokens: %v", err)
	}
	t.Setenv("ORDERFLEET_API_TOKENS", "tok-0123456789abcdef=tenant-a")
	t.Setenv("ORDERFLEET_API_ADDR", "127.0.0.1:0")
	st, set = httpapi.NewSettings()
	must(t, set.Parse(nil, &bytes.Buffer{}))
	cfg, err := st.Config()
	if err != nil || cfg.Tokens["tok-0123456789abcdef"] != "tenant-a" || cfg.MaxBodyBytes != 1<<20 || st.Addr != "127.0.0.1:0" || st.AdminAddr != "127.0.0.1:9113" {
		t.Fatalf("config %+v, addr %s: %v", cfg, st.Addr, err)
	}
	var help bytes.Buffer
	if code := httpapi.Main([]string{"--help"}, &help, &help); code != 0 || !strings.Contains(help.String(), "ORDERFLEET_API_ADDR") ||
		!strings.Contains(help.String(), "ORDERFLEET_CALLBACK_SECRETS") || strings.Contains(help.String(), "tok-0123456789abcdef") {
		t.Fatalf("help (exit %d):\n%s", code, help.String())
	}
}
