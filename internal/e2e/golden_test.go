package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/orderfleet/orderfleet/deploy/demo"
	"github.com/orderfleet/orderfleet/internal/cli"
	"github.com/orderfleet/orderfleet/internal/demoflow"
	"github.com/orderfleet/orderfleet/internal/engineapi"
	"github.com/orderfleet/orderfleet/internal/enginetest"
	"github.com/orderfleet/orderfleet/internal/omsapi"
	"github.com/orderfleet/orderfleet/internal/omsclient"
	"github.com/orderfleet/orderfleet/internal/simulator"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden timelines under testdata/golden from this run")

// TestGoldenFlows runs every flow of `fleetctl demo` through the OMS API of the test fleet and
// compares each order's normalized timeline with its golden file (go test -run TestGoldenFlows
// -update ./internal/e2e/ rewrites them; review the diff like code).
func TestGoldenFlows(t *testing.T) {
	for _, p := range stack.fleet {
		dumpLogsOnFailure(t, p)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	api := omsclient.New(stack.apiURL, asyncTenant+"-token-0001")
	clock := engineapi.NewClock(envOr("ORDERFLEET_ZEEBE_MANAGEMENT_URL", "http://127.0.0.1:9600"))
	env := &demoflow.Env{
		API: api, Simulator: simulator.NewClient(stack.simulatorURL), Engine: stack.engine,
		DB: stack.pool, Orders: demo.Orders, CustomerID: "golden-" + hex.EncodeToString(b),
		MoveClock: func(ctx context.Context, d time.Duration) error {
			enginetest.MoveClock(t, ctx, clock, d)
			return nil
		},
		Progress: func(line string) { t.Log(line) },
	}
	results := demoflow.RunFlows(ctx, env, demoflow.GoldenFlows(), 2*time.Minute)
	if len(results) != len(demoflow.GoldenFlows()) {
		t.Fatalf("%d of %d flows ran", len(results), len(demoflow.GoldenFlows()))
	}
	for _, r := range results {
		t.Run(r.Flow, func(t *testing.T) {
			if !r.OK() {
				t.Fatalf("order %s ended %s, want %s: %s", r.OrderID, r.OrderStatus, r.WantStatus, r.Error)
			}
			compareGolden(t, ctx, api, r)
		})
	}
	t.Run("fleetctl timeline -o json parses", func(t *testing.T) {
		var out bytes.Buffer
		root := cli.NewRoot(&out, &out)
		root.SetArgs([]string{"--api-url", stack.apiURL, "--token", asyncTenant + "-token-0001", "order", "timeline", results[0].OrderID, "-o", "json"})
		if err := root.ExecuteContext(ctx); err != nil {
			t.Fatalf("fleetctl: %v\n%s", err, out.String())
		}
		var entries []omsapi.TimelineEntry
		if err := json.Unmarshal(out.Bytes(), &entries); err != nil || len(entries) == 0 {
			t.Fatalf("timeline JSON: %d entries, %v\n%s", len(entries), err, out.String())
		}
	})
}

// compareGolden normalizes the order's timeline and compares it with testdata/golden/<flow>.txt.
// The outbox relay marks published events a moment after the order ends, which the timeline
// does not show, so there is nothing to wait for once the order is in its end state.
func compareGolden(t *testing.T, ctx context.Context, api *omsclient.Client, r demoflow.Result) {
	t.Helper()
	order, err := api.Order(ctx, r.OrderID)
	if err != nil {
		t.Fatal(err)
	}
	tasks, err := api.Tasks(ctx, r.OrderID, "")
	if err != nil {
		t.Fatal(err)
	}
	entries, err := api.Timeline(ctx, r.OrderID)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(demoflow.NormalizeTimeline(order, tasks, entries), "\n") + "\n"
	path := filepath.Join("testdata", "golden", r.Flow+".txt")
	if *updateGolden {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden file: %v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Fatalf("timeline of %s (order %s) differs from %s:\n%s", r.Flow, r.OrderID, path, lineDiff(string(want), got))
	}
}

// lineDiff shows the first differing lines with a little context; enough to see what moved.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			from := max(0, i-3)
			return "context:\n  " + strings.Join(g[from:i], "\n  ") + "\nwant: " + wl + "\ngot:  " + gl
		}
	}
	return "(equal)"
}
