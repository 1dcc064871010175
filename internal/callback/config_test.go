package callback_test

import (
	"io"
	"slices"
	"testing"
	"time"

	"github.com/orderfleet/orderfleet/internal/callback"
	"github.com/orderfleet/orderfleet/internal/config"
)

func TestSettingsParseIntoAValidConfig(t *testing.T) {
	var st callback.Settings
	set := config.New("oms-api", "test")
	st.Register(set)
	if err := set.Parse([]string{"--callback-secrets", `{"tenant-a":"tenant-a-callback-secret-0123456789"}`,
		"--callback-replay-window", "2m"}, io.Discard); err != nil {
		t.Fatal(err)
	}
	cfg, err := st.Config()
	if err != nil || cfg.Validate() != nil || cfg.ReplayWindow != 2*time.Minute || cfg.MaxBodyBytes != 64<<10 {
		t.Fatalf("%+v %v", cfg, err)
	}
	if !slices.Contains(set.Summary(), "callback-secrets=*****") {
		t.Fatalf("secret not masked in summary: %q", set.Summary())
	}
	if err := (callback.Config{}).Validate(); err == nil {
		t.Fatal("a config without secrets was accepted")
	}
}
