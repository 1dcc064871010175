package httpapi_test

import (
	"encoding/json"
	"net/http"
	"path"
	"strings"
	"testing"

	"github.com/orderfleet/orderfleet/internal/domain"
)

// validBodies pass every check that does not need the order, so a refusal
// can only come from the tenant guard.
var validBodies = map[string]any{
	"retry":            map[string]any{"reasonCode": "TRY_AGAIN", "reason": "r", "operatorId": "ops-1"},
	"skip":             skipBody(),
	"manual-decisions": map[string]any{"decision": "ESCALATE", "reasonCode": "NEEDS_TIER_TWO", "reason": "r", "operatorId": "ops-1"},
	"repair":           map[string]any{"action": "RETRY", "reasonCode": "TRY_AGAIN", "reason": "r", "operatorId": "ops-1"},
	"cancel":           cancelBody(),
	"suspend":          map[string]any{"reasonCode": "FRAUD_REVIEW", "operatorId": "ops-1"},
	"resume":           map[string]any{"reasonCode": "RISK_CLEARED", "operatorId": "ops-1"},
}

// TestTenantIsolation sends every order route of the OpenAPI document as
// tenant B, with tenant A's ids and with ids that exist nowhere: both must
// be the same 404, and tenant A's order must not change.
func TestTenantIsolation(t *testing.T) {
	f := newFixture(t)
	orderID := f.capture("cust-1")["orderId"].(string)
	caseID, taskID := f.openFallout(orderID, t0)
	var version int64
	must(t, f.pool.QueryRow(t.Context(), `select version from customer_order where id = $1`, orderID).Scan(&version))
	outbox, audit := f.rows("outbox_event"), f.rows("audit_entry")

	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	must(t, json.Unmarshal(f.req(http.MethodGet, "/openapi.json", "", nil).body, &doc))
	checked := 0
	for p, ops := range doc.Paths {
		if !strings.Contains(p, "{orderId}") {
			continue
		}
		for method := range ops {
			method = strings.ToUpper(method)
			real := strings.NewReplacer("{orderId}", orderID, "{taskId}", taskID, "{falloutCaseId}", caseID).Replace(p)
			ghosts := []string{domain.NewUUID(), domain.NewUUID(), domain.NewUUID()}
			ghost := strings.NewReplacer("{orderId}", ghosts[0], "{taskId}", ghosts[1], "{falloutCaseId}", ghosts[2]).Replace(p)
			body := validBodies[path.Base(p)]
			mine := expectCode(t, f.req(method, real, tokenB, body), http.StatusNotFound, "not_found")
			nobody := expectCode(t, f.req(method, ghost, tokenB, body), http.StatusNotFound, "not_found")
			a := strings.NewReplacer(orderID, "ID", taskID, "ID", caseID, "ID").Replace(mine["detail"].(string))
			b := strings.NewReplacer(ghosts[0], "ID", ghosts[1], "ID", ghosts[2], "ID").Replace(nobody["detail"].(string))
			if a != b {
				t.Errorf("%s %s: tenant B can tell A's order from none: %q vs %q", method, p, a, b)
			}
			checked++
		}
	}
	if checked < 13 {
		t.Fatalf("only %d order routes checked", checked)
	}
	var after int64
	must(t, f.pool.QueryRow(t.Context(), `select version from customer_order where id = $1`, orderID).Scan(&after))
	if after != version || f.rows("outbox_event") != outbox || f.rows("audit_entry") != audit || f.rows("manual_decision") != 0 {
		t.Fatalf("tenant B changed tenant A's order: version %d->%d", version, after)
	}
}
