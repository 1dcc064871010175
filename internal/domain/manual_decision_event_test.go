package domain

import "testing"

func TestManualDecisionRecordedEvent(t *testing.T) {
	_, p := preparedPlan(t, assetBook{}, CompletionRequiresBillingActive, bundleAdd(1))
	d := decision(DecisionRetry, p, p.Tasks[0].ID)
	e := d.RecordedEvent("corr-7")
	if e.EventType != EventManualDecisionRecorded || e.AggregateType != AggregateManualDecision || e.AggregateID != d.ID ||
		e.TenantID != p.TenantID || e.CorrelationID != "corr-7" || !e.OccurredAt.Equal(d.DecidedAt) {
		t.Fatalf("envelope %+v", e)
	}
	want := map[string]any{"orderId": p.OrderID, "taskId": d.TaskID, "decision": "RETRY", "manualDecisionId": d.ID, "fulfillmentPlanId": p.ID}
	for k, v := range want {
		if e.Payload[k] != v {
			t.Fatalf("payload %s = %v, want %v", k, e.Payload[k], v)
		}
	}
}
