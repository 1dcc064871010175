// Package enginetest coordinates tests of several packages that share one engine.
//
// The engine runs with a controlled clock, and a test that moves it forward expires every job and
// message that another package's test holds at that moment. `go test ./...` runs packages in
// parallel processes, so the coordination is a reader/writer file lock: tests that need the engine
// clock to keep step with the wall clock hold it shared, and a clock move takes it exclusively.
package enginetest

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// lockPath is per machine user, not per checkout: two checkouts' tests still share one engine port.
func lockPath() string {
	return filepath.Join(os.TempDir(), "orderfleet-engine-clock-"+os.Getenv("USER")+".lock")
}

func lock(t testing.TB, how int) {
	t.Helper()
	f, err := os.OpenFile(lockPath(), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatalf("engine clock lock: %v", err)
	}
	if err := syscall.Flock(int(f.Fd()), how); err != nil {
		_ = f.Close()
		t.Fatalf("engine clock lock: %v", err)
	}
	t.Cleanup(func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		_ = f.Close()
	})
}

// SteadyClock keeps other test processes from moving the engine clock until the test ends.
// Use it in tests whose jobs have short timeouts or whose messages have short TTLs.
func SteadyClock(t testing.TB) {
	t.Helper()
	lock(t, syscall.LOCK_SH)
}

// ClockMover is the part of engineapi.Clock a test needs to move engine time.
type ClockMover interface {
	Add(ctx context.Context, d time.Duration) error
}

// MoveClock moves engine time by d once no other test process needs a steady clock.
// The exclusive lock is held until the calling test ends, so a steady test cannot start mid-jump.
func MoveClock(t testing.TB, ctx context.Context, clock ClockMover, d time.Duration) {
	t.Helper()
	lock(t, syscall.LOCK_EX)
	if err := clock.Add(ctx, d); err != nil {
		t.Fatalf("move the engine clock: %v", err)
	}
}
