package domain_test

import (
	"math/rand/v2"
	"regexp"
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
		"{0e9a1c3b-5d7f-4a2b-8c6d-1f3e5a7b9c}":  false, // 36 characters, braces instead of digits
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

// IsUUID replaced this pattern in three packages; it must accept exactly what the pattern did.
var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func TestIsUUIDAgreesWithThePatternItReplaced(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("0123456789abcdefABCDEFgG-{}\n é")
	for i := 0; i < 200000; i++ {
		b := []byte(domain.NewUUID())
		for n := rng.IntN(3); n > 0; n-- { // damage a valid UUID in up to two places
			switch pos := rng.IntN(len(b) + 1); rng.IntN(3) {
			case 0:
				if pos < len(b) {
					b[pos] = alphabet[rng.IntN(len(alphabet))]
				}
			case 1:
				b = append(b[:pos], append([]byte{alphabet[rng.IntN(len(alphabet))]}, b[pos:]...)...)
			default:
				if pos < len(b) {
					b = append(b[:pos], b[pos+1:]...)
				}
			}
		}
		if s := string(b); domain.IsUUID(s) != uuidPattern.MatchString(s) {
			t.Fatalf("IsUUID(%q) = %v, the pattern says %v", s, domain.IsUUID(s), uuidPattern.MatchString(s))
		}
	}
}
