package httpapi_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/orderfleet/orderfleet/internal/domain"
)

// openFallout fails a task and opens its case, as open-fallout would.
func (f *fixture) openFallout(orderID string, at time.Time) (caseID, taskID string) {
	f.t.Helper()
	taskID = f.failedTask(orderID)
	var planID string
	must(f.t, f.pool.QueryRow(context.Background(), `select fulfillment_plan_id::text from customer_order where id = $1`, orderID).Scan(&planID))
	fc, err := domain.OpenFallout(domain.OpenFalloutInput{ID: domain.NewUUID(), TenantID: tenantA, OrderID: orderID, FulfillmentPlanID: planID,
		TaskID: taskID, Category: domain.FalloutExternalSystemRejected, Retryable: true, SourceSystem: "provisioning-adapter"}, workerCause(at))
	must(f.t, err)
	must(f.t, f.store.CreateFallout(context.Background(), fc))
	return fc.ID, taskID
}

func TestFalloutListsPageAndFilter(t *testing.T) {
	f := newFixture(t)
	var cases []string
	var orders []string
	for i := 0; i < 3; i++ {
		orderID := f.capture("cust-1")["orderId"].(string)
		id, _ := f.openFallout(orderID, t0.Add(time.Duration(i)*time.Minute))
		orders, cases = append(orders, orderID), append(cases, id)
	}
	var seen []string
	cursor := ""
	for pages := 0; pages < 5; pages++ {
		m := expect(t, f.req(http.MethodGet, "/api/v1/fallout-cases?status=OPEN&limit=2&cursor="+cursor, tokenA, nil), http.StatusOK)
		for _, it := range m["items"].([]any) {
			c := it.(map[string]any)
			if c["status"] != "OPEN" || c["category"] != "EXTERNAL_SYSTEM_REJECTED" || len(c["suggestedRepairActions"].([]any)) == 0 {
				t.Fatalf("case %v", c)
			}
			seen = append(seen, c["falloutCaseId"].(string))
		}
		if cursor, _ = m["nextCursor"].(string); cursor == "" {
			break
		}
	}
	if len(seen) != 3 || seen[0] != cases[0] || seen[1] != cases[1] || seen[2] != cases[2] {
		t.Fatalf("cases %v, want oldest first %v", seen, cases)
	}
	m := expect(t, f.req(http.MethodGet, "/api/v1/orders/"+orders[1]+"/fallout-cases", tokenA, nil), http.StatusOK)
	if items := m["items"].([]any); len(items) != 1 || items[0].(map[string]any)["falloutCaseId"] != cases[1] {
		t.Fatalf("order's cases %v", items)
	}
	if items := expect(t, f.req(http.MethodGet, "/api/v1/fallout-cases?status=REPAIRED", tokenA, nil), http.StatusOK)["items"].([]any); len(items) != 0 {
		t.Fatalf("REPAIRED filter %v", items)
	}
	if items := expect(t, f.req(http.MethodGet, "/api/v1/fallout-cases", tokenB, nil), http.StatusOK)["items"].([]any); len(items) != 0 {
		t.Fatalf("tenant B sees %d of tenant A's cases", len(items))
	}
	expectCode(t, f.req(http.MethodGet, "/api/v1/fallout-cases?status=SOLVED", tokenA, nil), http.StatusBadRequest, "invalid")
}

func TestRepairFallout(t *testing.T) {
	f := newFixture(t)
	orderID := f.capture("cust-1")["orderId"].(string)
	caseID, taskID := f.openFallout(orderID, t0)
	path := "/api/v1/orders/" + orderID + "/fallout-cases/" + caseID + "/repair"
	retry := map[string]any{"action": "RETRY", "reasonCode": "DOWNSTREAM_CONFIGURATION_FIXED", "reason": "partner fixed the profile", "operatorId": "ops-998"}
	if got := fieldsOf(expectCode(t, f.req(http.MethodPost, path, tokenA, map[string]any{"action": "REBOOT"}), http.StatusBadRequest, "invalid")); len(got) != 4 {
		t.Fatalf("field problems %v", got)
	}
	other := f.capture("cust-2")["orderId"].(string)
	expectCode(t, f.req(http.MethodPost, "/api/v1/orders/"+other+"/fallout-cases/"+caseID+"/repair", tokenA, retry), http.StatusNotFound, "not_found")

	m := expect(t, f.req(http.MethodPost, path, tokenA, retry), http.StatusOK)
	if m["falloutStatus"] != "REPAIRED" || m["repairAction"] != "RETRY" || f.taskStatus(orderID, taskID) != "READY" {
		t.Fatalf("repair answer %v, task %s", m, f.taskStatus(orderID, taskID))
	}
	ev := f.events("FulfillmentFalloutRepaired")
	if len(ev) != 1 {
		t.Fatalf("%d FulfillmentFalloutRepaired events", len(ev))
	}
	if p := ev[0]["payload"].(map[string]any); p["falloutCaseId"] != caseID || p["repairAction"] != "RETRY" || p["orderId"] != orderID {
		t.Fatalf("repair event payload %v", p)
	}
	expectCode(t, f.req(http.MethodPost, path, tokenA, retry), http.StatusConflict, "invalid_transition")

	// MANUAL_CLOSE ends the order too: the process just ends on that path
	closeID, _ := f.openFallout(other, t0)
	closeBody := map[string]any{"action": "MANUAL_CLOSE", "reasonCode": "CUSTOMER_WITHDREW", "reason": "closed with the customer", "operatorId": "ops-998"}
	m = expect(t, f.req(http.MethodPost, "/api/v1/orders/"+other+"/fallout-cases/"+closeID+"/repair", tokenA, closeBody), http.StatusOK)
	order := expect(t, f.req(http.MethodGet, "/api/v1/orders/"+other, tokenA, nil), http.StatusOK)
	if m["falloutStatus"] != "CLOSED" || m["orderStatus"] != "MANUAL_CLOSED" || order["status"] != "MANUAL_CLOSED" || len(f.events("OrderClosedManually")) != 1 {
		t.Fatalf("manual close answer %v, order %v", m, order["status"])
	}
}
