// Package proctest builds a real orderfleet binary and runs it as a process in a test, so crash
// tests kill exactly what production runs.
package proctest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// Build compiles the main package (e.g. "github.com/orderfleet/orderfleet/cmd/outbox-relay") into
// the test's temporary folder and returns the binary's path.
func Build(t testing.TB, pkg, name string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), name)
	if out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, out)
	}
	return bin
}

// Process is a running binary; the test's cleanup kills it if it is still running.
type Process struct {
	Cmd    *exec.Cmd
	mu     sync.Mutex
	output bytes.Buffer
	done   chan error
}

// Start runs bin with the test's environment plus env.
func Start(t testing.TB, bin string, env ...string) *Process {
	t.Helper()
	p := &Process{Cmd: exec.Command(bin), done: make(chan error, 1)}
	p.Cmd.Env = append(os.Environ(), env...)
	p.Cmd.Stdout, p.Cmd.Stderr = p, p
	if err := p.Cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.Cmd.Wait() }()
	t.Cleanup(func() {
		if p.Cmd.ProcessState == nil {
			_ = p.Cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// Write collects the process's output; the lock lets Output read it while the process runs.
func (p *Process) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.output.Write(b)
}

// Output is what the process printed so far.
func (p *Process) Output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.output.String()
}

// Wait returns how the process ended, failing the test if it is still running after within.
func (p *Process) Wait(t testing.TB, within time.Duration) error {
	t.Helper()
	select {
	case err := <-p.done:
		return err
	case <-time.After(within):
		t.Fatalf("%s still running after %s; output:\n%s", filepath.Base(p.Cmd.Path), within, p.Output())
		return nil
	}
}
