package domain

import (
	"testing"
	"time"
)

func TestISODuration(t *testing.T) {
	good := map[string]time.Duration{
		"PT30S": 30 * time.Second, "PT10M": 10 * time.Minute, "PT2H": 2 * time.Hour, "P3D": 72 * time.Hour,
		"P1DT2H30M5S": 26*time.Hour + 30*time.Minute + 5*time.Second, "PT0S": 0,
	}
	for in, want := range good {
		got, err := ParseISODuration(in)
		if err != nil || got != want {
			t.Errorf("%s: %v %v", in, got, err)
		}
		if want > 0 && FormatISODuration(got) != in {
			t.Errorf("format(%v) = %s, want %s", got, FormatISODuration(got), in)
		}
	}
	for _, in := range []string{"", "P", "PT", "30s", "P1H", "PT1D", "P1DT", "PTT1S", "PT1.5S", "P1M", "PT-1S", "PTS"} {
		if _, err := ParseISODuration(in); ErrorCode(err) != EINVALID {
			t.Errorf("%q accepted: %v", in, err)
		}
	}
	if FormatISODuration(0) != "PT0S" {
		t.Error("zero")
	}
}
