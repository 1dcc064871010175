package callback_test

import (
	"context"
	"net/http"
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

// The simulator answers an async request, then calls this handler back signed with the shared
// Sign; the callback settles the recorded external call. Redelivered four more times, it is
// still stored once.
func TestSimulatorCallbackSettlesExternalCall(t *testing.T) {
	f := newFixture(t)
	oms := httptest.NewServer(f.handler)
	t.Cleanup(oms.Close)
	sim, err := simulator.New(simulator.Config{
		Secrets: callback.Secrets{tenant: secret},
		Now:     func() time.Time { return f.clock }, // the handler's clock, so the signature is fresh
	}, zap.NewNop(), prometheus.NewRegistry())
	must(t, err)
	partner := httptest.NewServer(sim)
	t.Cleanup(func() { sim.Close(); partner.Close() })
	caller, err := adapter.NewHTTPCaller(adapter.HTTPConfig{BaseURL: partner.URL, CallbackBaseURL: oms.URL})
	must(t, err)
	ctx := context.Background()
	key := domain.IdempotencyKey(tenant, f.orderID, f.taskID, "execute-1")
	must(t, simulator.NewClient(partner.URL).SetTaskScenario(ctx, f.taskID, "provisioning-adapter", "*",
		simulator.Scenario{Behavior: simulator.Async, Delay: simulator.Duration(500 * time.Millisecond)}))
	resp, err := caller.Call(ctx, adapter.Request{ExternalSystem: "provisioning-adapter", Operation: "CREATE_PROVISIONING_REQUEST",
		IdempotencyKey: key, TenantID: tenant, OrderID: f.orderID, TaskID: f.taskID, Input: map[string]any{"downloadMbps": "500"}})
	if err != nil || resp.Outcome != adapter.OutcomeAccepted {
		t.Fatalf("%+v %v", resp, err)
	}
	// what the submitting worker does with the answer: record the partner's correlation id
	_, err = f.pool.Exec(ctx, `update external_call_attempt set external_correlation_id = $2 where id = $1`, f.attemptID, resp.ExternalCorrelationID)
	must(t, err)
	deadline := time.Now().Add(10 * time.Second)
	for f.rows().evidence == 0 {
		if time.Now().After(deadline) {
			page, _ := simulator.NewClient(partner.URL).Ledger(ctx, simulator.Query{IdempotencyKey: key})
			t.Fatalf("no callback stored within 10s; simulator ledger: %+v", page)
		}
		time.Sleep(50 * time.Millisecond)
	}
	res, err := simulator.NewClient(partner.URL).Deliver(ctx, simulator.DeliverRequest{IdempotencyKey: key, Times: 4})
	must(t, err)
	for _, s := range res.Statuses {
		if s != http.StatusOK {
			t.Fatalf("redeliveries answered %v, want 200s", res.Statuses)
		}
	}
	if r := f.rows(); r.evidence != 1 || r.outbox != 1 || r.audit != 1 || r.attemptVersion != 1 || f.attemptStatus() != "COMPLETED" {
		t.Fatalf("rows %+v attempt %s", r, f.attemptStatus())
	}
	if f.counter("fulfillment_external_callback_duplicate_total") != 4 {
		t.Fatalf("duplicates counted %v", f.counter("fulfillment_external_callback_duplicate_total"))
	}
}
