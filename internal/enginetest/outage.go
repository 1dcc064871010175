package enginetest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A test that kills and restarts the stack's engine takes the engine lock exclusively; every test
// binary that talks to that engine holds it shared for its whole run, so an outage never lands in
// the middle of another package's test. It is a separate file from the clock lock: e2e moves the
// clock (exclusive) and restarts the engine in one process, and flock locks of one process on one
// file would otherwise meet each other.
//
// Deadlock rule: a process never waits for the exclusive side while it holds the shared side. Test
// binaries take the shared side in TestMain, before any clock lock; the restarting test holds no
// clock lock.

// engineLockPath is per engine address: tests against two stacks on one machine do not wait on each other.
func engineLockPath() string {
	addr := os.Getenv("ORDERFLEET_ZEEBE_ADDRESS")
	if addr == "" {
		addr = "127.0.0.1:26500"
	}
	name := strings.NewReplacer(":", "_", "/", "_").Replace(addr)
	return filepath.Join(os.TempDir(), "orderfleet-engine-up-"+os.Getenv("USER")+"-"+name+".lock")
}

func flockEngine(how int) (release func(), err error) {
	f, err := os.OpenFile(engineLockPath(), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("engine lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), how); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("engine lock %s: %w", f.Name(), err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		_ = f.Close()
	}, nil
}

// RunWithEngineUp runs the package's tests holding the engine lock shared, so no other test
// process restarts the engine meanwhile. Call it from TestMain: os.Exit(enginetest.RunWithEngineUp(m)).
func RunWithEngineUp(m *testing.M) int {
	release, err := flockEngine(syscall.LOCK_SH)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer release()
	return m.Run()
}

// OwnEngine waits until no other test process uses the engine and keeps them out until the
// calling test ends, so it may stop and restart the engine. The caller must not hold the shared
// side (RunWithEngineUp) in the same process.
func OwnEngine(t testing.TB) {
	t.Helper()
	release, err := flockEngine(syscall.LOCK_EX)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(release)
}
