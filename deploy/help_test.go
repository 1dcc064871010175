package deploy

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
)

// The binaries are built once per test run and shared by every test that reads their --help.
var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
	buildOut  []byte
)

// help runs `<binary> --help` and returns each ORDERFLEET_* variable it lists with its default.
func help(t *testing.T, binary string) map[string]string {
	t.Helper()
	buildOnce.Do(func() {
		if buildDir, buildErr = os.MkdirTemp("", "orderfleet-deploy-test-"); buildErr != nil {
			return
		}
		cmd := exec.Command("go", "build", "-o", buildDir+string(os.PathSeparator), "./cmd/...")
		cmd.Dir = ".."
		buildOut, buildErr = cmd.CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("go build: %v\n%s", buildErr, buildOut)
	}
	var out bytes.Buffer
	cmd := exec.Command(filepath.Join(buildDir, binary), "--help")
	cmd.Stdout, cmd.Stderr = &out, &out
	_ = cmd.Run()
	settings := map[string]string{}
	// "env ORDERFLEET_X, default value" (the fleet binaries), "(env ORDERFLEET_X)" (fleetctl) or
	// "env ENGINE_X, default value" (the engine, which shares nothing with the fleet, names included).
	for _, m := range regexp.MustCompile(`env ((?:ORDERFLEET|ENGINE)_[A-Z0-9_]+)(?:, default ([^\n]*))?`).FindAllStringSubmatch(out.String(), -1) {
		settings[m[1]] = m[2]
	}
	if len(settings) == 0 {
		t.Fatalf("%s --help lists no ORDERFLEET_* or ENGINE_* setting:\n%s", binary, out.String())
	}
	return settings
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// services lists the fleet's long-running binaries: every cmd/ main except fleetctl, the operator's
// client, and the engine, which has its own settings and tests (TestManifestsRunTheEngine...).
func services(t *testing.T) []string {
	var out []string
	for _, b := range binaries(t) {
		if b != "fleetctl" && b != "engine" { // a client, and the engine (ENGINE_* settings, not the fleet's)
			out = append(out, b)
		}
	}
	return out
}
