package domain_test

import (
	"strings"
	"testing"

	"github.com/orderfleet/orderfleet/internal/domain"
)

func TestIsUUID(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		domain.NewUUID():                        true,
		"0E9A1C3B-5D7F-4A2B-8C6D-1F3E5A7B9C0D":  true,
		"00000000-0000-4000-8000-000000000001":  true,
		"":                                      false,
		"0e9a1c3b5d7f4a2b8c6d1f3e5a7b9c0d":      false, // no hyphens
		"0e9a1c3b-5d7f-4a2b-8c6d-1f3e5a7b9c0":   false, // one digit short
		"0e9a1c3b-5d7f-4a2b-8c6d-1f3e5a7b9c0dd": false,
		"0e9a1c3b-5d7f-4a2b-8c6d_1f3e5a7b9c0d":  false,
		"0e9a1c3g-5d7f-4a2b-8c6d-1f3e5a7b9c0d":  false,
		"{0e9a1c3b-5d7f-4a2b-8c6d-1f3e5a7b9c0}": false,
		"0e9a1c3b-5d7f-4a2b-8c6d-1f3e5a7b9c0\n": false,
		strings.Repeat("-", 36):                 false,
	} {
		if got := domain.IsUUID(s); got != want {
			t.Errorf("IsUUID(%q) = %v, want %v", s, got, want)
		}
	}
	for i := 0; i < 100; i++ {
		if id := domain.NewUUID(); !domain.IsUUID(id) {
			t.Fatalf("NewUUID gave %q, which IsUUID refuses", id)
		}
	}
}
