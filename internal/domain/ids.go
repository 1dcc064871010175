package domain

import (
	"crypto/rand"
	"fmt"
	"sync/atomic"
)

// IDGenerator hands out new identifiers. Decomposition takes one as a
// parameter so tests can pin every id and assert exact plans.
type IDGenerator interface {
	NewID() string
}

// IDFunc adapts a plain function to IDGenerator.
type IDFunc func() string

// NewID implements IDGenerator.
func (f IDFunc) NewID() string { return f() }

// RandomIDs returns random (version 4) UUIDs, the production generator.
func RandomIDs() IDGenerator { return IDFunc(NewUUID) }

// NewUUID returns a random version 4 UUID in canonical text form.
func NewUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("domain: crypto/rand failed: " + err.Error())
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// SequentialIDs yields valid UUIDs whose last group counts up from 1 within
// the given namespace (0-65535). Deterministic ids make golden tests exact
// while still fitting uuid columns.
func SequentialIDs(namespace uint16) IDGenerator {
	var n atomic.Uint64
	return IDFunc(func() string {
		return fmt.Sprintf("00000000-%04x-4000-8000-%012x", namespace, n.Add(1))
	})
}

// IsUUID reports whether s is a UUID in canonical text form (8-4-4-4-12 hex digits, either case),
// the form uuid columns and the API accept. It is on the router's per-record path, hence no regexp.
func IsUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}
