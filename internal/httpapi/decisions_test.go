package httpapi_test

import (
	"bytes"
	"net/http"
	"slices"
	"testing"

	"github.com/orderfleet/orderfleet/internal/domain"
)

// startedTask starts the order's first ready task, as execute-task would.
func (f *fixture) startedTask(orderID string) string {
	f.t.Helper()
	taskID := f.readyTask(orderID)
	f.changePlan(orderID, func(o *domain.Order, p *domain.Plan) error {
		if err := o.StartFulfillment(workerCause(t0)); err != nil {
			return err
		}
		_, err := p.StartTask(taskID, domain.AttemptRequest{}, workerCause(t0))
		return err
	})
	return taskID
}

func (f *fixture) failedTask(orderID string) string {
	f.t.Helper()
	taskID := f.startedTask(orderID)
	f.changePlan(orderID, func(_ *domain.Order, p *domain.Plan) error {
		_, err := p.FailTask(taskID, domain.TaskFailure{Code: "PARTNER_REJECTED", Message: "no capacity"}, workerCause(t0))
		return err
	})
	return taskID
}

func TestManualDecisionIsRecordedAndPublished(t *testing.T) {
	f := newFixture(t)
	orderID := f.capture("cust-1")["orderId"].(string)
	taskID := f.startedTask(orderID)
	path := "/api/v1/orders/" + orderID + "/fulfillment-tasks/" + taskID + "/manual-decisions"
	complete := map[string]any{"decision": "COMPLETE", "reasonCode": "TECHNICIAN_CONFIRMED", "reason": "Technician confirmed installation on site.",
		"evidenceReference": "doc-123", "operatorId": "user-789"}

	m := expectCode(t, f.req(http.MethodPost, path, tokenA, map[string]any{"decision": "DONE", "reasonCode": "fixed it"}), http.StatusBadRequest, "invalid")
	if got := fieldsOf(m); !slices.Equal(got, []string{"decision"}) {
		t.Fatalf("field problems %v", got)
	}
	noEvidence := map[string]any{"decision": "COMPLETE", "reasonCode": "fixed it", "reason": "r"}
	if got := fieldsOf(expectCode(t, f.req(http.MethodPost, path, tokenA, noEvidence), http.StatusBadRequest, "invalid")); !slices.Equal(got,
		[]string{"reasonCode", "operatorId", "evidenceReference"}) {
		t.Fatalf("field problems %v", got)
	}
	retryRunning := map[string]any{"decision": "RETRY", "reasonCode": "TRY_AGAIN", "reason": "r", "operatorId": "user-789"}
	expectCode(t, f.req(http.MethodPost, path, tokenA, retryRunning), http.StatusConflict, "invalid_transition")

	first := f.req(http.MethodPost, path, tokenA, complete, "Idempotency-Key", "manual-ft-1001-user-789-001")
	m = expect(t, first, http.StatusCreated)
	if m["decision"] != "COMPLETE" || m["taskStatus"] != "COMPLETED" || m["taskId"] != taskID {
		t.Fatalf("decision answer %s", first.body)
	}
	replay := f.req(http.MethodPost, path, tokenA, complete, "Idempotency-Key", "manual-ft-1001-user-789-001")
	if replay.status != http.StatusCreated || !bytes.Equal(replay.body, first.body) {
		t.Fatalf("replay %d %s", replay.status, replay.body)
	}
	if n := f.count(`select count(*) from manual_decision where idempotency_key = 'manual-ft-1001-user-789-001' and decision = 'COMPLETE'
		and operator_id = 'user-789' and evidence_reference = 'doc-123'`); n != 1 || f.rows("manual_decision") != 1 {
		t.Fatalf("%d manual_decision rows", f.rows("manual_decision"))
	}
	ev := f.events("ManualDecisionRecorded")
	if len(ev) != 1 {
		t.Fatalf("%d ManualDecisionRecorded events", len(ev))
	}
	p := ev[0]["payload"].(map[string]any)
	if p["orderId"] != orderID || p["taskId"] != taskID || p["decision"] != "COMPLETE" || p["manualDecisionId"] != m["manualDecisionId"] ||
		ev[0]["aggregateId"] != m["manualDecisionId"] {
		t.Fatalf("event %v", ev[0])
	}
	if f.taskStatus(orderID, taskID) != "COMPLETED" {
		t.Fatalf("task is %s", f.taskStatus(orderID, taskID))
	}
	expectCode(t, f.req(http.MethodPost, "/api/v1/orders/"+orderID+"/fulfillment-tasks/"+domain.NewUUID()+"/manual-decisions", tokenA, complete),
		http.StatusNotFound, "not_found")
	expectCode(t, f.req(http.MethodPost, path, tokenA, map[string]any{"decision": "ESCALATE", "reasonCode": "NEEDS_TIER_TWO", "reason": "r",
		"operatorId": "user-789", "falloutCaseId": domain.NewUUID()}), http.StatusNotFound, "not_found")
}

func TestRetryAndSkipAreDecisions(t *testing.T) {
	f := newFixture(t)
	orderID := f.capture("cust-1")["orderId"].(string)
	taskID := f.failedTask(orderID)
	base := "/api/v1/orders/" + orderID + "/fulfillment-tasks/" + taskID
	retry := map[string]any{"reasonCode": "DOWNSTREAM_CONFIGURATION_FIXED", "reason": "partner raised capacity",
		"evidenceReference": "case-attachment-123", "operatorId": "ops-998"}
	m := expect(t, f.req(http.MethodPost, base+"/retry", tokenA, retry), http.StatusOK)
	if m["decision"] != "RETRY" || m["taskStatus"] != "READY" || !slices.Contains(toStrings(m["progress"].(map[string]any)["readyTaskIds"]), taskID) {
		t.Fatalf("retry answer %v", m)
	}
	expectCode(t, f.req(http.MethodPost, base+"/retry", tokenA, retry), http.StatusConflict, "invalid_transition")

	noApprover := skipBody()
	delete(noApprover, "approverId")
	if got := fieldsOf(expectCode(t, f.req(http.MethodPost, base+"/skip", tokenA, noApprover), http.StatusBadRequest, "invalid")); !slices.Equal(got, []string{"approverId"}) {
		t.Fatalf("skip field problems %v", got)
	}
	self := skipBody()
	self["approverId"] = self["operatorId"]
	expectCode(t, f.req(http.MethodPost, base+"/skip", tokenA, self), http.StatusBadRequest, "invalid")
	m = expect(t, f.req(http.MethodPost, base+"/skip", tokenA, skipBody()), http.StatusOK)
	if m["decision"] != "SKIP_WITH_APPROVAL" || m["taskStatus"] != "SKIPPED" {
		t.Fatalf("skip answer %v", m)
	}
	if f.rows("manual_decision") != 2 || len(f.events("ManualDecisionRecorded")) != 2 || len(f.events("FulfillmentTaskSkipped")) != 1 {
		t.Fatalf("%d decisions, %d events", f.rows("manual_decision"), len(f.events("ManualDecisionRecorded")))
	}
}

func toStrings(v any) []string {
	var out []string
	for _, s := range v.([]any) {
		out = append(out, s.(string))
	}
	return out
}
