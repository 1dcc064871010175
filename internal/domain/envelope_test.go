package domain

import (
	"encoding/json"
	"reflect"
	"sort"
	"testing"
)

func TestEventEnvelopeShape(t *testing.T) {
	_, p := preparedPlan(t, assetBook{}, CompletionRequiresBillingActive, bundleAdd(1))
	runTask(t, p, taskByKey(t, p, "access.check").ID)
	var completed Event
	for _, e := range p.PendingEvents() {
		if e.EventType == EventFulfillmentTaskCompleted {
			completed = e
		}
	}
	completed.EventID = "evt-90001"
	raw, err := json.Marshal(completed)
	must(t, err)
	var m map[string]any
	must(t, json.Unmarshal(raw, &m))
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	want := []string{"aggregateId", "aggregateType", "correlationId", "eventId", "eventType", "eventVersion", "occurredAt", "payload", "tenantId"}
	if !reflect.DeepEqual(keys, want) {
		t.Fatalf("envelope keys %v", keys)
	}
	if m["occurredAt"] != "2026-07-02T05:00:00Z" || m["eventVersion"] != float64(1) || m["aggregateType"] != "FulfillmentTask" {
		t.Fatalf("envelope %s", raw)
	}
	pl := m["payload"].(map[string]any)
	if pl["orderId"] != p.OrderID || pl["fulfillmentPlanId"] != p.ID || pl["taskType"] != "CHECK_SERVICEABILITY" || pl["status"] != "COMPLETED" {
		t.Fatalf("payload %v", pl)
	}
}

func TestSeedEventNames(t *testing.T) {
	names := []string{
		EventOrderFulfillmentRequested, EventFulfillmentPlanExecutionStarted, EventFulfillmentTaskStarted,
		EventFulfillmentTaskCompleted, EventFulfillmentTaskFailed, EventFulfillmentTaskTimedOut,
		EventFulfillmentTaskSkipped, EventFulfillmentFalloutOpened, EventFulfillmentFalloutRepaired,
		EventCompensationStarted, EventCompensationTaskCompleted, EventCompensationFailed,
		EventInstalledBaseUpdated, EventBillingActivationRequested, EventBillingActivationCompleted,
		EventOrderFulfillmentCompleted, EventOrderFulfillmentFailed,
	}
	want := "OrderFulfillmentRequested FulfillmentPlanExecutionStarted FulfillmentTaskStarted FulfillmentTaskCompleted " +
		"FulfillmentTaskFailed FulfillmentTaskTimedOut FulfillmentTaskSkipped FulfillmentFalloutOpened FulfillmentFalloutRepaired " +
		"CompensationStarted CompensationTaskCompleted CompensationFailed InstalledBaseUpdated BillingActivationRequested " +
		"BillingActivationCompleted OrderFulfillmentCompleted OrderFulfillmentFailed"
	got := ""
	for i, n := range names {
		if i > 0 {
			got += " "
		}
		got += n
	}
	if got != want {
		t.Fatalf("event names differ from seed 001 §20:\n%s", got)
	}
}

// Every task transition, including automatic READY promotion, leaves an
// audit entry with before/after state and the actor.
func TestEveryTaskTransitionIsAudited(t *testing.T) {
	_, p := preparedPlan(t, assetBook{}, CompletionRequiresBillingActive, bundleAdd(1))
	p.ClearPending()
	check := taskByKey(t, p, "access.check")
	runTask(t, p, check.ID)
	var got []string
	for _, a := range p.PendingAudit() {
		if a.ActorID != "test-worker" || a.OrderID != p.OrderID || a.TenantID != "tenant-a" || a.OccurredAt.IsZero() {
			t.Fatalf("audit entry missing who/when: %+v", a)
		}
		got = append(got, a.AggregateID[len(a.AggregateID)-2:]+":"+a.StateBefore+">"+a.StateAfter)
	}
	want := []string{"03:CREATED>EXECUTING", "04:READY>IN_PROGRESS", "04:IN_PROGRESS>COMPLETED", "05:PENDING>READY"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("audit %v", got)
	}
}
