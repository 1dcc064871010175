package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

func TestRoutingErrorsAreProblems(t *testing.T) {
	f := newFixture(t)
	res := f.req(http.MethodGet, "/api/v1/orders/"+"00000000-0000-4000-8000-000000000001"+"/cancel", tokenA, nil)
	expectCode(t, res, http.StatusMethodNotAllowed, "method_not_allowed")
	if res.header.Get("Allow") != "POST" {
		t.Fatalf("Allow %q", res.header.Get("Allow"))
	}
	res = f.req(http.MethodDelete, "/api/v1/orders", tokenA, nil)
	if expectCode(t, res, http.StatusMethodNotAllowed, "method_not_allowed"); res.header.Get("Allow") != "GET, POST" {
		t.Fatalf("Allow %q", res.header.Get("Allow"))
	}
	expectCode(t, f.req(http.MethodGet, "/api/v2/orders", tokenA, nil), http.StatusNotFound, "route_not_found")
	expectCode(t, f.req(http.MethodGet, "/api/v1/orders/not-a-uuid", tokenA, nil), http.StatusNotFound, "not_found")
	// the partner callbacks are mounted and answer with their own problems
	res = f.req(http.MethodPost, "/api/v1/integrations/provisioning/callbacks", "", `{}`)
	expectCode(t, res, http.StatusUnauthorized, "missing_credentials")
	expectCode(t, f.req(http.MethodGet, "/api/v1/integrations/provisioning/callbacks", "", nil), http.StatusMethodNotAllowed, "method_not_allowed")
}

func TestMetricsAndAccessLog(t *testing.T) {
	f := newFixture(t)
	orderID := f.capture("cust-1")["orderId"].(string)
	expect(t, f.req(http.MethodGet, "/api/v1/orders/"+orderID, tokenA, nil), http.StatusOK)
	expect(t, f.req(http.MethodGet, "/api/v1/orders/"+orderID, tokenB, nil), http.StatusNotFound)
	exposition := httptest.NewRecorder()
	promhttp.HandlerFor(f.reg, promhttp.HandlerOpts{}).ServeHTTP(exposition, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	for _, line := range []string{
		`orderfleet_api_requests_total{route="POST /api/v1/orders",status="201"} 1`,
		`orderfleet_api_requests_total{route="GET /api/v1/orders/{orderId}",status="200"} 1`,
		`orderfleet_api_requests_total{route="GET /api/v1/orders/{orderId}",status="404"} 1`,
		`orderfleet_api_request_duration_seconds_count{route="GET /api/v1/orders/{orderId}"} 2`,
	} {
		if !strings.Contains(exposition.Body.String(), line+"\n") {
			t.Errorf("metrics lack %s", line)
		}
	}
	lines := f.logs.FilterMessage("request").FilterField(stringField("orderId", orderID)).AllUntimed()
	if len(lines) != 2 {
		t.Fatalf("%d access log lines for the order", len(lines))
	}
	tenants := map[any]bool{}
	for _, l := range lines {
		tenants[l.ContextMap()["tenantId"]] = true
		if l.ContextMap()["route"] != "GET /api/v1/orders/{orderId}" {
			t.Fatalf("access log %v", l.ContextMap())
		}
	}
	if !tenants[tenantA] || !tenants[tenantB] {
		t.Fatalf("access log tenants %v", tenants)
	}
}
