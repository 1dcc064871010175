package fleetbench

import (
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/orderfleet/orderfleet/internal/proctest"
)

// fleetBinaries are the long-running binaries an automated order goes through, as the e2e suite
// starts them (the reconciler is left out: it only repairs what went wrong).
var fleetBinaries = []string{
	"oms-api", "outbox-relay", "correlation-router", "adapter-simulator", "workflow-start-relay", "load-fulfillment-plan",
	"execute-task", "manual-task", "apply-timeout", "open-fallout", "compensation", "installed-base", "finalize",
}

// The benchmark fleet's own API and simulator ports, away from the e2e fleet's and `make run`'s.
const (
	apiAddr       = "127.0.0.1:28091"
	simulatorAddr = "127.0.0.1:28181"
	benchTenant   = "fleetbench"
	benchToken    = "fleetbench-token-0001"
)

type fleet []*proctest.Process

// startFleet builds and starts every binary with the production defaults, except ports and the
// bench tenant's credentials; the stack's own settings come from the environment (make bench).
func startFleet(b *testing.B) fleet {
	b.Helper()
	env := []string{
		"ORDERFLEET_API_ADDR=" + apiAddr,
		"ORDERFLEET_ADAPTER_URL=http://" + simulatorAddr,
		"ORDERFLEET_SIM_LISTEN=" + simulatorAddr,
		"ORDERFLEET_SIM_CALLBACK_BASE_URL=http://" + apiAddr,
		"ORDERFLEET_API_TOKENS=" + benchToken + "=" + benchTenant,
		"ORDERFLEET_CALLBACK_SECRETS=" + benchTenant + "=" + benchTenant + "-callback-secret",
		"ORDERFLEET_ADMIN_ADDR=127.0.0.1:0",
		// Debug logs of 13 processes would cost the machine more than the work measured.
		"ORDERFLEET_LOG_LEVEL=warn",
	}
	var f fleet
	for _, name := range fleetBinaries {
		bin := proctest.Build(b, "github.com/orderfleet/orderfleet/cmd/"+name, name)
		p := proctest.Start(b, bin, env...)
		f = append(f, p)
		time.Sleep(300 * time.Millisecond)
		if p.Cmd.ProcessState != nil || processGone(p) {
			b.Fatalf("%s exited at start:\n%s", name, p.Output())
		}
	}
	return f
}

func processGone(p *proctest.Process) bool {
	return p.Cmd.Process.Signal(syscall.Signal(0)) != nil
}

// stop drains the fleet (SIGTERM), so its workers no longer poll the engine the stubs use.
func (f fleet) stop(b *testing.B) {
	b.Helper()
	for i := len(f) - 1; i >= 0; i-- {
		_ = f[i].Cmd.Process.Signal(syscall.SIGTERM)
	}
	for _, p := range f {
		if err := p.Wait(b, 40*time.Second); err != nil && !strings.Contains(err.Error(), "signal") {
			b.Logf("%s: %v", p.Cmd.Path, err)
		}
	}
}

// output is every process's log, for a failure message.
func (f fleet) output() string {
	var sb strings.Builder
	for _, p := range f {
		if out := p.Output(); out != "" {
			sb.WriteString("--- " + p.Cmd.Path + "\n" + tail(out, 15) + "\n")
		}
	}
	return sb.String()
}

func tail(s string, lines int) string {
	all := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
