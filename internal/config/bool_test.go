package config

import (
	"bytes"
	"testing"
)

func TestBoolFlagAloneTurnsOnAndEnvironmentIsRead(t *testing.T) {
	var once, dry bool
	t.Setenv("ORDERFLEET_TEST_DRY", "true")
	s := New("probe", "probe binary")
	s.Bool(&once, "once", "ORDERFLEET_TEST_ONCE", false, "one pass")
	s.Bool(&dry, "dry", "ORDERFLEET_TEST_DRY", false, "dry run")
	if err := s.Parse([]string{"--once"}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	if !once || !dry {
		t.Fatalf("once=%v dry=%v, want both true", once, dry)
	}
	t.Setenv("ORDERFLEET_TEST_ONCE", "maybe")
	bad := New("probe", "probe binary")
	bad.Bool(&once, "once", "ORDERFLEET_TEST_ONCE", false, "one pass")
	if err := bad.Parse(nil, &bytes.Buffer{}); err == nil {
		t.Fatal("ORDERFLEET_TEST_ONCE=maybe was accepted")
	}
}
