package httpapi_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestCaptureOrderStoresEverythingInOneGo(t *testing.T) {
	f := newFixture(t)
	res := f.req(http.MethodPost, "/api/v1/orders", tokenA, bundleOrder("cust-1"))
	m := expect(t, res, http.StatusCreated)
	orderID := m["orderId"].(string)
	if res.header.Get("Location") != "/api/v1/orders/"+orderID || m["status"] != "FULFILLMENT_READY" || m["taskCount"].(float64) < 2 {
		t.Fatalf("capture answer %s, Location %q", res.body, res.header.Get("Location"))
	}
	for table, want := range map[string]int{"customer_order": 1, "order_item": 1, "fulfillment_plan": 1,
		"workflow_start_request": 1, "fulfillment_task": int(m["taskCount"].(float64))} {
		if got := f.rows(table); got != want {
			t.Errorf("%s has %d rows, want %d", table, got, want)
		}
	}
	if ev := f.events("OrderFulfillmentRequested"); len(ev) != 1 || ev[0]["tenantId"] != tenantA {
		t.Fatalf("OrderFulfillmentRequested events %v", ev)
	}
	got := expect(t, f.req(http.MethodGet, "/api/v1/orders/"+orderID, tokenA, nil), http.StatusOK)
	items := got["items"].([]any)
	if got["customerId"] != "cust-1" || got["tenantId"] != tenantA || got["fulfillmentPlanId"] != m["fulfillmentPlanId"] ||
		got["completionPolicy"] != "COMPLETION_REQUIRES_BILLING_ACTIVE" || len(items) != 1 {
		t.Fatalf("order %s", f.req(http.MethodGet, "/api/v1/orders/"+orderID, tokenA, nil).body)
	}
	if it := items[0].(map[string]any); it["action"] != "ADD" || it["quantity"] != float64(1) || it["location"] != "1 Main St" {
		t.Fatalf("item %v", it)
	}
}

func TestCaptureOrderRefusesBadRequests(t *testing.T) {
	f := newFixture(t)
	post := func(body any, headers ...string) response {
		return f.req(http.MethodPost, "/api/v1/orders", tokenA, body, headers...)
	}
	m := expectCode(t, post(map[string]any{"items": []any{map[string]any{"lineNo": 0, "action": "UPGRADE", "targetAssetId": "nope"}}}),
		http.StatusBadRequest, "invalid")
	want := []string{"customerId", "items[0].lineNo", "items[0].productCode", "items[0].action", "items[0].targetAssetId"}
	if got := fieldsOf(m); !slices.Equal(got, want) {
		t.Fatalf("field problems %v, want %v", got, want)
	}
	m = expectCode(t, post(map[string]any{"customerId": "c", "items": []any{}, "discount": 10}), http.StatusBadRequest, "invalid")
	if got := fieldsOf(m); !slices.Equal(got, []string{"discount"}) {
		t.Fatalf("unknown field problems %v", got)
	}
	m = expectCode(t, post(`{"customerId": 7, "items": []}`), http.StatusBadRequest, "invalid")
	if got := fieldsOf(m); !slices.Equal(got, []string{"customerId"}) {
		t.Fatalf("type problems %v", got)
	}
	expectCode(t, post(`{"customerId": "c",`), http.StatusBadRequest, "malformed_request")
	expectCode(t, post(`{"customerId": "c", "items": []} {}`), http.StatusBadRequest, "malformed_request")
	expectCode(t, post(""), http.StatusBadRequest, "malformed_request")
	expectCode(t, post(bundleOrder("c"), "Content-Type", "text/plain"), http.StatusUnsupportedMediaType, "unsupported_media_type")
	huge := `{"customerId": "` + strings.Repeat("x", 70<<10) + `"}`
	expectCode(t, post(huge), http.StatusRequestEntityTooLarge, "payload_too_large")
	unknown := bundleOrder("c")
	unknown["items"].([]any)[0].(map[string]any)["productCode"] = "TIME_MACHINE"
	expectCode(t, post(unknown), http.StatusBadRequest, "invalid")
	expectCode(t, post(bundleOrder("c"), "Idempotency-Key", strings.Repeat("k", 256)), http.StatusBadRequest, "invalid")
	if n := f.rows("customer_order"); n != 0 {
		t.Fatalf("%d orders stored by refused requests", n)
	}
}

func TestAuthentication(t *testing.T) {
	f := newFixture(t)
	for name, token := range map[string]string{"missing": "", "unknown": "token-of-nobody-0123456789"} {
		res := f.req(http.MethodGet, "/api/v1/orders", token, nil)
		expectCode(t, res, http.StatusUnauthorized, "unauthorized")
		if !strings.HasPrefix(res.header.Get("WWW-Authenticate"), "Bearer") {
			t.Fatalf("%s token: WWW-Authenticate %q", name, res.header.Get("WWW-Authenticate"))
		}
	}
	res := f.req(http.MethodPost, "/api/v1/orders", "", bundleOrder("c"))
	expectCode(t, res, http.StatusUnauthorized, "unauthorized")
	expectCode(t, f.req(http.MethodGet, "/api/v1/orders", "", nil, "Authorization", "Basic "+tokenA), http.StatusUnauthorized, "unauthorized")
	if f.rows("customer_order") != 0 {
		t.Fatal("an unauthenticated capture stored an order")
	}
	expect(t, f.req(http.MethodGet, "/openapi.json", "", nil), http.StatusOK)
}

func TestListOrdersPagesNewestFirst(t *testing.T) {
	f := newFixture(t)
	var created []string
	for i := 0; i < 5; i++ {
		created = append(created, f.capture("cust-" + string(rune('a'+i)))["orderId"].(string))
		f.tick(time.Second)
	}
	slices.Reverse(created)
	var seen []string
	cursor, pages := "", 0
	for {
		m := expect(t, f.req(http.MethodGet, "/api/v1/orders?limit=2&cursor="+cursor, tokenA, nil), http.StatusOK)
		pages++
		for _, it := range m["items"].([]any) {
			seen = append(seen, it.(map[string]any)["orderId"].(string))
		}
		next, _ := m["nextCursor"].(string)
		if next == "" {
			break
		}
		cursor = next
	}
	if pages != 3 || !slices.Equal(seen, created) {
		t.Fatalf("pages %d, orders %v, want %v", pages, seen, created)
	}
	m := expect(t, f.req(http.MethodGet, "/api/v1/orders?customerId=cust-c&status=FULFILLMENT_READY", tokenA, nil), http.StatusOK)
	if items := m["items"].([]any); len(items) != 1 || items[0].(map[string]any)["customerId"] != "cust-c" {
		t.Fatalf("filtered %v", items)
	}
	if items := expect(t, f.req(http.MethodGet, "/api/v1/orders", tokenB, nil), http.StatusOK)["items"].([]any); len(items) != 0 {
		t.Fatalf("tenant B lists %d of tenant A's orders", len(items))
	}
	for _, q := range []string{"limit=0", "limit=201", "limit=x", "cursor=garbage", "status=LOST"} {
		expectCode(t, f.req(http.MethodGet, "/api/v1/orders?"+q, tokenA, nil), http.StatusBadRequest, "invalid")
	}
	tasks := expect(t, f.req(http.MethodGet, "/api/v1/orders/"+created[0]+"/fulfillment-tasks?limit=1", tokenA, nil), http.StatusOK)
	expectCode(t, f.req(http.MethodGet, "/api/v1/orders?cursor="+tasks["nextCursor"].(string), tokenA, nil), http.StatusBadRequest, "invalid")
}
