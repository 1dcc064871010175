package adapter_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/adapter"
	"github.com/orderfleet/orderfleet/internal/callback"
	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/simulator"
)

const tenant = "tenant-a"

// world is a running simulator, its admin client and an HTTP caller pointed at it.
type world struct {
	srv    *httptest.Server
	admin  *simulator.Client
	caller *adapter.HTTPCaller
}

func newWorld(t *testing.T, cfg simulator.Config, timeout time.Duration) *world {
	t.Helper()
	if cfg.Secrets == nil {
		cfg.Secrets = callback.Secrets{tenant: "tenant-a-callback-secret-0123456789"}
	}
	sim, err := simulator.New(cfg, zap.NewNop(), prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	t.Cleanup(func() {
		sim.Close() // releases hanging requests before the server waits for them
		srv.Close()
	})
	caller, err := adapter.NewHTTPCaller(adapter.HTTPConfig{BaseURL: srv.URL, Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	return &world{srv: srv, admin: simulator.NewClient(srv.URL), caller: caller}
}

// request is a call of one task under its first execute attempt.
func request(system, operation string) adapter.Request {
	orderID, taskID := domain.NewUUID(), domain.NewUUID()
	return adapter.Request{
		ExternalSystem: system, Operation: operation, TenantID: tenant, OrderID: orderID, TaskID: taskID,
		IdempotencyKey: domain.IdempotencyKey(tenant, orderID, taskID, domain.AttemptPurpose(domain.PurposeExecute, 1)),
		Input:          map[string]any{"downloadMbps": "500", "location": "1 Main St"},
	}
}

func (w *world) ledger(t *testing.T, q simulator.Query) simulator.LedgerPage {
	t.Helper()
	page, err := w.admin.Ledger(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	return page
}

func one(t *testing.T, page simulator.LedgerPage) simulator.Entry {
	t.Helper()
	if len(page.Entries) != 1 {
		t.Fatalf("ledger has %d entries, want 1: %+v", len(page.Entries), page.Entries)
	}
	return page.Entries[0]
}
