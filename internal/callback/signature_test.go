package callback

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestSignIsHMACOverTimestampDotBody(t *testing.T) {
	// fixed vector, computed independently with: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac k
	got := Sign("k", 1700000000, []byte(`{"a":1}`))
	want := "sha256=1b6ad1bc9bf48c52ce01939866d5877c6cc4e87ddad27e16673cb8c4964394a3"
	if got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
	now := time.Unix(1700000000, 0)
	if err := verify("k", "1700000000", got, []byte(`{"a":1}`), now.Add(4*time.Minute), 5*time.Minute); err != nil {
		t.Fatalf("valid signature refused: %v", err)
	}
	for name, err := range map[string]error{
		"other body":   verify("k", "1700000000", got, []byte(`{"a":2}`), now, 5*time.Minute),
		"other secret": verify("k2", "1700000000", got, []byte(`{"a":1}`), now, 5*time.Minute),
		"other time":   verify("k", "1700000001", got, []byte(`{"a":1}`), now, 5*time.Minute),
		"garbage time": verify("k", "yesterday", got, []byte(`{"a":1}`), now, 5*time.Minute),
	} {
		if err != errBadSignature {
			t.Errorf("%s: %v, want bad signature", name, err)
		}
	}
	if err := verify("k", "1700000000", got, []byte(`{"a":1}`), now.Add(5*time.Minute+time.Second), 5*time.Minute); err != errStaleTimestamp {
		t.Fatalf("stale: %v", err)
	}
}

func TestParseSecrets(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secrets.json")
	if err := os.WriteFile(path, []byte(`{"tenant-a": "aaaaaaaaaaaaaaaaaaaa"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{`{"tenant-a": "aaaaaaaaaaaaaaaaaaaa"}`, "tenant-a=aaaaaaaaaaaaaaaaaaaa", "@" + path} {
		s, err := ParseSecrets(text)
		if err != nil || len(s) != 1 || s["tenant-a"] != "aaaaaaaaaaaaaaaaaaaa" {
			t.Fatalf("%q: %v %v", text, s, err)
		}
	}
	for _, bad := range []string{"tenant-a=short", "no-equals", `{"a":`, "@/does/not/exist"} {
		if _, err := ParseSecrets(bad); err == nil {
			t.Fatalf("%q accepted", bad)
		}
	}
}
