package adapter_test

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/orderfleet/orderfleet/internal/adapter"
	"github.com/orderfleet/orderfleet/internal/simulator"
)

func TestCompletedCallAndReplayCauseOneEffect(t *testing.T) {
	w := newWorld(t, simulator.Config{}, 5*time.Second)
	ctx := context.Background()
	req := request(adapter.SystemInventory, "RESERVE_RESOURCE")
	first, err := w.caller.Call(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	hash, _ := adapter.CanonicalHash(first.Body)
	if first.Outcome != adapter.OutcomeCompleted || first.ExternalCorrelationID == "" || first.Replayed || first.ResponseHash != hash {
		t.Fatalf("first answer %+v", first)
	}
	again, err := w.caller.Call(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Replayed || again.ResponseHash != first.ResponseHash || again.ExternalCorrelationID != first.ExternalCorrelationID {
		t.Fatalf("replay %+v, first %+v", again, first)
	}
	e := one(t, w.ledger(t, simulator.Query{OrderID: req.OrderID}))
	if e.Effects != 1 || e.Deliveries != 2 || e.Replays != 1 || e.IdempotencyKey != req.IdempotencyKey || e.TaskID != req.TaskID {
		t.Fatalf("ledger %+v", e)
	}
}

func TestTransientFailuresThenSuccess(t *testing.T) {
	w := newWorld(t, simulator.Config{}, 5*time.Second)
	ctx := context.Background()
	req := request(adapter.SystemBilling, "REVERSE_BILLING_ACTIVATION")
	if err := w.admin.SetOrderScenario(ctx, req.OrderID, req.ExternalSystem, req.Operation,
		simulator.Scenario{Behavior: simulator.FailTransiently, TransientFailures: 2}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		_, err := w.caller.Call(ctx, req)
		var ce *adapter.CallError
		if !errors.As(err, &ce) || !adapter.IsTransient(err) || ce.StatusCode != 503 || ce.Code != "temporarily_unavailable" {
			t.Fatalf("call %d: %v, want a transient 503", i+1, err)
		}
	}
	resp, err := w.caller.Call(ctx, req)
	if err != nil || resp.Outcome != adapter.OutcomeCompleted || resp.Replayed {
		t.Fatalf("third call %+v %v", resp, err)
	}
	e := one(t, w.ledger(t, simulator.Query{OrderID: req.OrderID}))
	if e.Effects != 1 || e.TransientFailures != 2 || e.Deliveries != 3 {
		t.Fatalf("ledger %+v", e)
	}
}

func TestRejectionIsAnOutcomeNotAnError(t *testing.T) {
	w := newWorld(t, simulator.Config{}, 5*time.Second)
	ctx := context.Background()
	req := request(adapter.SystemServiceability, "CHECK_SERVICEABILITY")
	if err := w.admin.SetTaskScenario(ctx, req.TaskID, "*", "*", simulator.Scenario{Behavior: simulator.Reject, ReasonCode: "NOT_SERVICEABLE"}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		resp, err := w.caller.Call(ctx, req)
		if err != nil || resp.Outcome != adapter.OutcomeRejected || resp.ReasonCode != "NOT_SERVICEABLE" || resp.Replayed != (i == 1) {
			t.Fatalf("call %d: %+v %v", i+1, resp, err)
		}
	}
	if e := one(t, w.ledger(t, simulator.Query{TaskID: req.TaskID})); e.Effects != 0 || e.Outcome != "REJECTED" {
		t.Fatalf("ledger %+v", e)
	}
}

func TestHangingSystemTimesOutAsTransient(t *testing.T) {
	w := newWorld(t, simulator.Config{}, 150*time.Millisecond)
	ctx := context.Background()
	req := request(adapter.SystemNotification, "SEND_CUSTOMER_NOTIFICATION")
	if err := w.admin.SetOrderScenario(ctx, req.OrderID, "*", "*", simulator.Scenario{Behavior: simulator.Hang}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err := w.caller.Call(ctx, req)
	if !adapter.IsTransient(err) || !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
		t.Fatalf("after %v: %v, want a transient deadline error", time.Since(start), err)
	}
	if e := one(t, w.ledger(t, simulator.Query{OrderID: req.OrderID})); e.Effects != 0 || e.Outcome != "" {
		t.Fatalf("ledger %+v", e)
	}
}

func TestConnectionRefusedIsTransient(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	caller, err := adapter.NewHTTPCaller(adapter.HTTPConfig{BaseURL: "http://" + addr, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	_, err = caller.Call(context.Background(), request(adapter.SystemInventory, "RESERVE_RESOURCE"))
	if !adapter.IsTransient(err) || adapter.IsPermanent(err) {
		t.Fatalf("%v, want transient", err)
	}
}

func TestKeyReusedForAnotherRequestIsPermanent(t *testing.T) {
	w := newWorld(t, simulator.Config{}, 5*time.Second)
	ctx := context.Background()
	req := request(adapter.SystemInventory, "RESERVE_RESOURCE")
	if _, err := w.caller.Call(ctx, req); err != nil {
		t.Fatal(err)
	}
	req.Input = map[string]any{"downloadMbps": "1000"}
	_, err := w.caller.Call(ctx, req)
	var ce *adapter.CallError
	if !errors.As(err, &ce) || !adapter.IsPermanent(err) || ce.StatusCode != 400 || ce.Code != "idempotency_key_reused" {
		t.Fatalf("%v, want permanent idempotency_key_reused", err)
	}
	if e := one(t, w.ledger(t, simulator.Query{OrderID: req.OrderID})); e.Effects != 1 {
		t.Fatalf("ledger %+v", e)
	}
}

func TestConcurrentCallsWithOneKeyCauseOneEffect(t *testing.T) {
	w := newWorld(t, simulator.Config{}, 5*time.Second)
	req := request(adapter.SystemShipping, "CANCEL_SHIPMENT")
	var wg sync.WaitGroup
	hashes := make([]string, 20)
	for i := range hashes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := w.caller.Call(context.Background(), req)
			if err != nil {
				t.Error(err)
			}
			hashes[i] = resp.ResponseHash
		}()
	}
	wg.Wait()
	for _, h := range hashes {
		if h != hashes[0] {
			t.Fatalf("answers differ: %v", hashes)
		}
	}
	page := w.ledger(t, simulator.Query{OrderID: req.OrderID})
	if e := one(t, page); e.Effects != 1 || e.Deliveries != 20 || e.Replays != 19 || page.Effects != 1 {
		t.Fatalf("ledger %+v", page)
	}
}

func TestRoutesSendASystemElsewhere(t *testing.T) {
	def := newWorld(t, simulator.Config{}, 5*time.Second)
	partner := newWorld(t, simulator.Config{}, 5*time.Second)
	caller, err := adapter.NewHTTPCaller(adapter.HTTPConfig{BaseURL: def.srv.URL,
		Routes: map[string]string{adapter.SystemBilling: partner.srv.URL + "/systems/billing-adapter"}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	bill, inv := request(adapter.SystemBilling, "REVERSE_BILLING_ACTIVATION"), request(adapter.SystemInventory, "RESERVE_RESOURCE")
	for _, r := range []adapter.Request{bill, inv} {
		if _, err := caller.Call(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if def.ledger(t, simulator.Query{OrderID: inv.OrderID}).Effects != 1 || def.ledger(t, simulator.Query{OrderID: bill.OrderID}).Effects != 0 ||
		partner.ledger(t, simulator.Query{OrderID: bill.OrderID}).Effects != 1 {
		t.Fatal("billing was not routed to its own partner")
	}
	if _, err := adapter.ParseRoutes("billing-adaptr=http://x"); err == nil {
		t.Fatal("a misspelt system was accepted")
	}
	if r, err := adapter.ParseRoutes("billing-adapter=http://b, inventory-adapter=http://i"); err != nil || len(r) != 2 {
		t.Fatalf("%v %v", r, err)
	}
}

func TestBadRequestsArePermanent(t *testing.T) {
	w := newWorld(t, simulator.Config{}, 5*time.Second)
	ctx := context.Background()
	for name, req := range map[string]adapter.Request{
		"no key": func() adapter.Request {
			r := request(adapter.SystemInventory, "RESERVE_RESOURCE")
			r.IdempotencyKey = ""
			return r
		}(),
		"unknown system": request("teleport-adapter", "BEAM"),
	} {
		if _, err := w.caller.Call(ctx, req); !adapter.IsPermanent(err) {
			t.Errorf("%s: %v, want permanent", name, err)
		}
	}
	onlyRoutes, err := adapter.NewHTTPCaller(adapter.HTTPConfig{Routes: map[string]string{adapter.SystemBilling: w.srv.URL}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := onlyRoutes.Call(ctx, request(adapter.SystemInventory, "RESERVE_RESOURCE")); !adapter.IsPermanent(err) {
		t.Fatalf("unrouted system: %v", err)
	}
}
