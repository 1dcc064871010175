package httpapi_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/postgres"
)

func cancelBody() map[string]any {
	return map[string]any{"reasonCode": "CUSTOMER_REQUEST", "reason": "customer changed their mind", "operatorId": "agent-5"}
}

func TestCancelFollowsTheCancellationPolicy(t *testing.T) {
	f := newFixture(t)
	orderID := f.capture("cust-1")["orderId"].(string)
	path := "/api/v1/orders/" + orderID + "/cancel"
	expectCode(t, f.req(http.MethodPost, path, tokenA, map[string]any{"reasonCode": "because", "operatorId": ""}), http.StatusBadRequest, "invalid")
	m := expect(t, f.req(http.MethodPost, path, tokenA, cancelBody()), http.StatusAccepted)
	if m["behavior"] != "CANCEL_THROUGH_WORKFLOW" || m["status"] != "CANCELLATION_REQUESTED" {
		t.Fatalf("cancel answer %v", m)
	}
	ev := f.events("OrderCancellationRequested")
	if len(ev) != 1 || ev[0]["payload"].(map[string]any)["orderId"] != orderID || ev[0]["payload"].(map[string]any)["reasonCode"] != "CUSTOMER_REQUEST" {
		t.Fatalf("cancellation events %v", ev)
	}
	m = expect(t, f.req(http.MethodPost, path, tokenA, cancelBody()), http.StatusOK)
	if m["behavior"] != "ALREADY_REQUESTED" || len(f.events("OrderCancellationRequested")) != 1 {
		t.Fatalf("repeated cancel %v", m)
	}

	// nothing has run for a captured order: it is cancelled at once
	ctx := context.Background()
	o, err := domain.NewOrder(domain.NewOrderInput{TenantID: tenantA, CustomerID: "cust-2", Items: []domain.ItemInput{{LineNo: 1,
		ProductCode: "BROADBAND_BUNDLE", Action: domain.ActionAdd, Location: "x"}}}, domain.RandomIDs(), workerCause(t0))
	must(t, err)
	must(t, f.store.Do(ctx, func(tx *postgres.Tx) error { tx.AddOrder(o); return nil }))
	m = expect(t, f.req(http.MethodPost, "/api/v1/orders/"+o.ID+"/cancel", tokenA, cancelBody()), http.StatusOK)
	if m["behavior"] != "CANCEL_DIRECTLY" || m["status"] != "CANCELLED" || len(f.events("OrderCancelled")) != 1 {
		t.Fatalf("direct cancel %v", m)
	}

	// a completed order is changed by an amendment, not cancelled
	done := f.capture("cust-3")["orderId"].(string)
	f.changePlan(done, func(o *domain.Order, _ *domain.Plan) error {
		if err := o.StartFulfillment(workerCause(t0)); err != nil {
			return err
		}
		return o.Transition(domain.OrderCompleted, workerCause(t0))
	})
	expectCode(t, f.req(http.MethodPost, "/api/v1/orders/"+done+"/cancel", tokenA, cancelBody()), http.StatusConflict, "not_eligible")
}

func TestSuspendAndResume(t *testing.T) {
	f := newFixture(t)
	orderID := f.capture("cust-1")["orderId"].(string)
	base := "/api/v1/orders/" + orderID
	hold := map[string]any{"reasonCode": "CUSTOMER_HOLD", "reason": "customer is travelling", "operatorId": "agent-5"}
	expectCode(t, f.req(http.MethodPost, base+"/suspend", tokenA, hold), http.StatusConflict, "invalid_transition")
	f.changePlan(orderID, func(o *domain.Order, _ *domain.Plan) error { return o.StartFulfillment(workerCause(t0)) })

	bored := map[string]any{"reasonCode": "BORED", "operatorId": "agent-5"}
	if got := fieldsOf(expectCode(t, f.req(http.MethodPost, base+"/suspend", tokenA, bored), http.StatusBadRequest, "invalid")); len(got) != 1 || got[0] != "reasonCode" {
		t.Fatalf("field problems %v", got)
	}
	m := expect(t, f.req(http.MethodPost, base+"/suspend", tokenA, hold), http.StatusOK)
	if m["status"] != "SUSPENDED" || m["suspensionReason"] != "CUSTOMER_HOLD" {
		t.Fatalf("suspend answer %v", m)
	}
	if ev := f.events("OrderSuspended"); len(ev) != 1 || ev[0]["payload"].(map[string]any)["orderId"] != orderID {
		t.Fatalf("suspension events %v", ev)
	}
	expectCode(t, f.req(http.MethodPost, base+"/suspend", tokenA, hold), http.StatusConflict, "invalid_transition")
	resume := map[string]any{"reasonCode": "CUSTOMER_BACK", "reason": "customer is home", "operatorId": "agent-5"}
	m = expect(t, f.req(http.MethodPost, base+"/resume", tokenA, resume), http.StatusOK)
	if m["status"] != "FULFILLING" || len(f.events("OrderResumed")) != 1 {
		t.Fatalf("resume answer %v", m)
	}
	expectCode(t, f.req(http.MethodPost, base+"/resume", tokenA, resume), http.StatusConflict, "invalid_transition")
	var actor string
	must(t, f.pool.QueryRow(context.Background(), `select actor_id from audit_entry where state_after = 'SUSPENDED'`).Scan(&actor))
	if actor != "agent-5" {
		t.Fatalf("suspension audited as %q", actor)
	}
}
