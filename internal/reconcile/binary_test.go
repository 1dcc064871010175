package reconcile_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap/zaptest"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/reconcile"
)

func TestOnceRunsOnePassAndPrintsItsReport(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.capture(f.tenant)
	f.exec(`update outbox_event set created_at = now() - interval '1 hour' where tenant_id = $1`, f.tenant)
	var out, errOut bytes.Buffer
	code := reconcile.Main([]string{"--once", "--database-url", f.dbURL, "--admin-addr", "127.0.0.1:0",
		"--tenant", f.tenant, "--outbox-max-age", "1m"}, &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out.String(), errOut.String())
	}
	var rep reconcile.Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("stdout is not a report: %v\n%s", err, out.String())
	}
	if len(rep.Findings) != 1 || rep.Findings[0].Kind != domain.DivergenceOutboxUnpublished || rep.Opened != 1 {
		t.Fatalf("report: %+v", rep)
	}
	f.open(domain.DivergenceOutboxUnpublished, "outbox")
}

func TestBadSettingsExitWithUsageError(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := reconcile.Main([]string{"--interval", "often"}, &out, &errOut); code != 2 {
		t.Fatalf("exit %d, want 2\n%s", code, errOut.String())
	}
	if code := reconcile.Main([]string{"--help"}, &out, &errOut); code != 0 || !bytes.Contains(out.Bytes(), []byte("ORDERFLEET_RECONCILE_INTERVAL")) {
		t.Fatalf("--help exit %d:\n%s", code, out.String())
	}
}

func TestRunPassesEveryIntervalAndStopsWhenCancelled(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.capture(f.tenant)
	f.exec(`update outbox_event set created_at = now() - interval '1 hour' where tenant_id = $1`, f.tenant)
	cfg := testConfig(f.tenant)
	cfg.Interval = 50 * time.Millisecond
	rec := reconcile.New(cfg, f.db, f.engineAPI, zaptest.NewLogger(t), prometheus.NewRegistry())
	ctx, cancel := context.WithCancel(f.ctx)
	done := make(chan error, 1)
	go func() { done <- rec.Run(ctx, 5*time.Second) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if got, ok := f.lookup(domain.DivergenceOutboxUnpublished, "outbox"); ok && got.SeenCount >= 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Run did not pass three times in 10s: %s", f.describeOpen())
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
}
