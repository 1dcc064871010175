package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fleetProcess is one running binary of the fleet.
type fleetProcess struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	done    chan error
}

// buildBinaries compiles every cmd/ main into dir, the way `make build` does.
func buildBinaries(dir string) error {
	root, err := repoRoot()
	if err != nil {
		return err
	}
	cmd := exec.Command("go", "build", "-o", dir+string(os.PathSeparator), "./cmd/...")
	cmd.Dir = root
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build ./cmd/...: %v\n%s", err, out.String())
	}
	return nil
}

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("go.mod not found above %s", dir)
		}
		dir = parent
	}
}

// startProcess runs bin/name with the shared environment plus extra variables; its output goes to
// a log file in logDir, shown when a test fails.
func startProcess(binDir, logDir, name string, extraEnv ...string) (*fleetProcess, error) {
	logPath := filepath.Join(logDir, fmt.Sprintf("%s-%d.log", name, time.Now().UnixNano()))
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(filepath.Join(binDir, name))
	cmd.Env = append(append(os.Environ(), "ORDERFLEET_ADMIN_ADDR=127.0.0.1:0", "ORDERFLEET_LOG_LEVEL=debug"), extraEnv...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// If the test binary dies (a timeout, a kill), its fleet dies with it instead of holding ports.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &fleetProcess{name: name, cmd: cmd, logPath: logPath, done: make(chan error, 1)}
	go func() { p.done <- cmd.Wait(); logFile.Close() }()
	return p, nil
}

// stop sends SIGTERM and waits for the graceful drain, killing after the timeout.
func (p *fleetProcess) stop(timeout time.Duration) error {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		return err
	case <-time.After(timeout):
		_ = p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("%s did not drain within %v and was killed", p.name, timeout)
	}
}

// kill is a crash: SIGKILL, no drain.
func (p *fleetProcess) kill() {
	_ = p.cmd.Process.Kill()
	<-p.done
}

// waitExit waits for the process to end on its own (e.g. at a failpoint) and returns how.
func (p *fleetProcess) waitExit(ctx context.Context) (*os.ProcessState, error) {
	select {
	case <-p.done:
		return p.cmd.ProcessState, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("%s still running: %w", p.name, ctx.Err())
	}
}

// logTail returns the last lines of the process log for failure messages.
func (p *fleetProcess) logTail(lines int) string {
	data, _ := os.ReadFile(p.logPath)
	all := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}

// dumpLogsOnFailure prints each process's log tail if the test failed.
func dumpLogsOnFailure(t *testing.T, procs ...*fleetProcess) {
	t.Helper()
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		for _, p := range procs {
			if p != nil {
				t.Logf("--- %s (%s) ---\n%s", p.name, p.logPath, p.logTail(30))
			}
		}
	})
}
