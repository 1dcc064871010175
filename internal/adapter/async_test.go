package adapter_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/orderfleet/orderfleet/internal/adapter"
	"github.com/orderfleet/orderfleet/internal/callback"
	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/simulator"
)

// received is one callback as an OMS would see it.
type received struct {
	path, tenant string
	validSig     bool
	doc          map[string]any
}

// receiver stands in for the OMS callback API here; the real handler is exercised against
// PostgreSQL in the callback package's tests.
func receiver(t *testing.T, secret string) (*httptest.Server, chan received) {
	ch := make(chan received, 16)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ts, _ := strconv.ParseInt(r.Header.Get(callback.HeaderTimestamp), 10, 64)
		rec := received{path: r.URL.Path, tenant: r.Header.Get(callback.HeaderTenant),
			validSig: r.Header.Get(callback.HeaderSignature) == callback.Sign(secret, ts, body)}
		_ = json.Unmarshal(body, &rec.doc)
		ch <- rec
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(srv.Close)
	return srv, ch
}

func TestAsyncAnswerCallsBackSigned(t *testing.T) {
	const secret = "tenant-a-callback-secret-0123456789"
	oms, got := receiver(t, secret)
	w := newWorld(t, simulator.Config{}, 5*time.Second)
	caller, err := adapter.NewHTTPCaller(adapter.HTTPConfig{BaseURL: w.srv.URL, CallbackBaseURL: oms.URL})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	req := request(adapter.SystemProvisioning, string(domain.TaskCreateProvisioningRequest))
	if err := w.admin.SetOrderScenario(ctx, req.OrderID, req.ExternalSystem, req.Operation,
		simulator.Scenario{Behavior: simulator.Async, Delay: simulator.Duration(50 * time.Millisecond), CallbackOutcome: "FAILED", ReasonCode: "PORT_DOWN"}); err != nil {
		t.Fatal(err)
	}
	resp, err := caller.Call(ctx, req)
	if err != nil || resp.Outcome != adapter.OutcomeAccepted || resp.ExternalCorrelationID == "" {
		t.Fatalf("%+v %v", resp, err)
	}
	var cb received
	select {
	case cb = <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("no callback within 5s")
	}
	if cb.path != "/api/v1/integrations/provisioning/callbacks" || cb.tenant != tenant || !cb.validSig {
		t.Fatalf("callback %+v", cb)
	}
	if cb.doc["orderId"] != req.OrderID || cb.doc["taskId"] != req.TaskID || cb.doc["externalCorrelationId"] != resp.ExternalCorrelationID ||
		cb.doc["outcome"] != "FAILED" || cb.doc["reasonCode"] != "PORT_DOWN" || cb.doc["partnerEventId"] == "" {
		t.Fatalf("callback document %v", cb.doc)
	}
	// a redelivery repeats the same partner event, which the OMS dedupes on
	res, err := w.admin.Deliver(ctx, simulator.DeliverRequest{IdempotencyKey: req.IdempotencyKey, Times: 2})
	if err != nil || len(res.Statuses) != 2 || res.Statuses[0] != http.StatusAccepted || res.PartnerEventID != cb.doc["partnerEventId"] {
		t.Fatalf("redeliver %+v %v", res, err)
	}
	// the scheduled delivery records its answer just after the receiver saw it: wait for it
	var e simulator.Entry
	for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if e = one(t, w.ledger(t, simulator.Query{OrderID: req.OrderID})); len(e.Callbacks) >= 3 || time.Now().After(deadline) {
			break
		}
	}
	if e.Effects != 1 || e.Outcome != "ACCEPTED" || len(e.Callbacks) != 3 || e.Callbacks[0].Status != http.StatusAccepted {
		t.Fatalf("ledger %+v", e)
	}
}

func TestNeverAnswerAcceptsWithoutCallback(t *testing.T) {
	oms, got := receiver(t, "unused-secret-0123456789")
	w := newWorld(t, simulator.Config{CallbackBaseURL: oms.URL}, 5*time.Second)
	ctx := context.Background()
	req := request(adapter.SystemShipping, string(domain.TaskConfirmShipment))
	if err := w.admin.SetOrderScenario(ctx, req.OrderID, "*", "*", simulator.Scenario{Behavior: simulator.NeverAnswer}); err != nil {
		t.Fatal(err)
	}
	if resp, err := w.caller.Call(ctx, req); err != nil || resp.Outcome != adapter.OutcomeAccepted {
		t.Fatalf("%+v %v", resp, err)
	}
	select {
	case cb := <-got:
		t.Fatalf("never-answer called back: %+v", cb)
	case <-time.After(300 * time.Millisecond):
	}
	if e := one(t, w.ledger(t, simulator.Query{OrderID: req.OrderID})); e.Effects != 1 || len(e.Callbacks) != 0 {
		t.Fatalf("ledger %+v", e)
	}
}

// Every external owner system in the catalog must be reachable through the adapter.
func TestCatalogSystemsAreKnown(t *testing.T) {
	cat, err := domain.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, s := range adapter.Systems {
		known[s] = true
	}
	internal := map[string]bool{"oms-installed-base": true, "field-operations": true}
	// Products may give a step another owner than its task type's (a digital add-on's provisioning).
	for _, code := range cat.ProductCodes() {
		p, _ := cat.Product(code)
		for action, steps := range p.Templates {
			for _, st := range steps {
				if !known[st.OwnerSystem] && !internal[st.OwnerSystem] {
					t.Errorf("%s %s step %s is owned by %s, which the adapter does not know", code, action, st.Key, st.OwnerSystem)
				}
			}
		}
	}
	for _, tt := range cat.TaskTypes() {
		def, _ := cat.TaskDefinition(tt)
		if !known[def.OwnerSystem] && !internal[def.OwnerSystem] {
			t.Errorf("task type %s is owned by %s, which the adapter does not know", tt, def.OwnerSystem)
		}
		if def.Mode == domain.ModeAutomatedAsync {
			if _, ok := adapter.CallbackRoute(def.OwnerSystem); !ok {
				t.Errorf("async task type %s: %s has no callback route", tt, def.OwnerSystem)
			}
		}
	}
}
