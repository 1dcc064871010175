package httpapi_test

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/postgres"
)

func TestStartFulfillmentReturnsTheStartRequest(t *testing.T) {
	f := newFixture(t)
	o := f.capture("cust-1")
	orderID := o["orderId"].(string)
	path := "/api/v1/orders/" + orderID + "/fulfillment/start"
	m := expect(t, f.req(http.MethodPost, path, tokenA, nil), http.StatusOK)
	if m["workflowStartRequestId"] != o["workflowStartRequestId"] || m["status"] != "PENDING" || m["processId"] != "order-fulfillment-v1" ||
		m["businessKey"] != tenantA+":"+orderID+":"+o["fulfillmentPlanId"].(string) {
		t.Fatalf("start request %v", m)
	}
	expect(t, f.req(http.MethodPost, path, tokenA, "{}"), http.StatusOK)
	expectCode(t, f.req(http.MethodPost, path, tokenA, `{"force": true}`), http.StatusBadRequest, "invalid")
	if f.rows("workflow_start_request") != 1 {
		t.Fatalf("%d start requests", f.rows("workflow_start_request"))
	}

	// an order captured by another channel, not yet decomposed, is prepared now
	ctx := context.Background()
	in := domain.NewOrderInput{TenantID: tenantA, CustomerID: "cust-2", Items: []domain.ItemInput{{LineNo: 1, ProductCode: "BROADBAND_BUNDLE",
		Action: domain.ActionAdd, Location: "2 Main St", Attributes: map[string]string{"downloadMbps": "500"}}}}
	captured, err := domain.NewOrder(in, domain.RandomIDs(), workerCause(t0))
	must(t, err)
	must(t, f.store.Do(ctx, func(tx *postgres.Tx) error { tx.AddOrder(captured); return nil }))
	path = "/api/v1/orders/" + captured.ID + "/fulfillment/start"
	m = expect(t, f.req(http.MethodPost, path, tokenA, nil, "Idempotency-Key", "start-2"), http.StatusAccepted)
	if m["status"] != "PENDING" || m["fulfillmentPlanId"] == "" {
		t.Fatalf("new start request %v", m)
	}
	expect(t, f.req(http.MethodPost, path, tokenA, nil, "Idempotency-Key", "start-2"), http.StatusAccepted)
	expect(t, f.req(http.MethodPost, path, tokenA, nil), http.StatusOK)
	got := expect(t, f.req(http.MethodGet, "/api/v1/orders/"+captured.ID, tokenA, nil), http.StatusOK)
	if got["status"] != "FULFILLMENT_READY" || f.rows("workflow_start_request") != 2 || f.rows("fulfillment_plan") != 2 {
		t.Fatalf("after start: order %v, %d start requests", got["status"], f.rows("workflow_start_request"))
	}

	// a cancelled order without a plan has nothing to start
	gone, err := domain.NewOrder(in, domain.RandomIDs(), workerCause(t0))
	must(t, err)
	must(t, gone.Transition(domain.OrderCancelled, workerCause(t0)))
	must(t, f.store.Do(ctx, func(tx *postgres.Tx) error { tx.AddOrder(gone); return nil }))
	expectCode(t, f.req(http.MethodPost, "/api/v1/orders/"+gone.ID+"/fulfillment/start", tokenA, nil), http.StatusConflict, "invalid_transition")
	expectCode(t, f.req(http.MethodGet, "/api/v1/orders/"+gone.ID+"/fulfillment-plan", tokenA, nil), http.StatusNotFound, "not_found")
}

func TestPlanAndTasks(t *testing.T) {
	f := newFixture(t)
	o := f.capture("cust-1")
	orderID := o["orderId"].(string)
	plan := expect(t, f.req(http.MethodGet, "/api/v1/orders/"+orderID+"/fulfillment-plan", tokenA, nil), http.StatusOK)
	tasks := plan["tasks"].([]any)
	if plan["fulfillmentPlanId"] != o["fulfillmentPlanId"] || float64(len(tasks)) != o["taskCount"] || len(plan["parallelGroups"].([]any)) == 0 {
		t.Fatalf("plan %v", plan)
	}
	var want []string
	for _, task := range tasks {
		want = append(want, task.(map[string]any)["taskId"].(string))
	}
	var got []string
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > len(want) {
			t.Fatal("task pages never end")
		}
		m := expect(t, f.req(http.MethodGet, "/api/v1/orders/"+orderID+"/fulfillment-tasks?limit=3&cursor="+cursor, tokenA, nil), http.StatusOK)
		items := m["items"].([]any)
		if len(items) > 3 {
			t.Fatalf("page of %d tasks with limit 3", len(items))
		}
		for _, it := range items {
			got = append(got, it.(map[string]any)["taskId"].(string))
		}
		if cursor, _ = m["nextCursor"].(string); cursor == "" {
			break
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("paged tasks %v, plan order %v", got, want)
	}
	ready := expect(t, f.req(http.MethodGet, "/api/v1/orders/"+orderID+"/fulfillment-tasks?status=READY", tokenA, nil), http.StatusOK)["items"].([]any)
	for _, it := range ready {
		if it.(map[string]any)["status"] != "READY" {
			t.Fatalf("status filter let through %v", it)
		}
	}
	if len(ready) == 0 || len(ready) == len(want) {
		t.Fatalf("%d READY of %d tasks", len(ready), len(want))
	}
	expectCode(t, f.req(http.MethodGet, "/api/v1/orders/"+orderID+"/fulfillment-tasks?status=DONE", tokenA, nil), http.StatusBadRequest, "invalid")
}
