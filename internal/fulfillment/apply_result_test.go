package fulfillment_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/orderfleet/orderfleet/internal/adapter"
	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/fulfillment"
	"github.com/orderfleet/orderfleet/internal/postgres"
	"github.com/orderfleet/orderfleet/internal/worker"
)

// storeCallback records a partner callback as internal/callback does: a callback_evidence row and
// an ExternalTaskResultReceived outbox event naming it. It returns the event id the correlation
// router hands the process as externalResultEventId.
func (f *fixture) storeCallback(o *order, task *domain.Task, outcome, reasonCode string) string {
	f.t.Helper()
	evidenceID, eventID := domain.NewUUID(), domain.NewUUID()
	payload, _ := json.Marshal(map[string]any{
		"partnerEventId": "pe-" + evidenceID, "orderId": o.OrderID, "taskId": task.ID,
		"externalCorrelationId": task.ExternalCorrelationID, "outcome": outcome, "reasonCode": reasonCode,
		"occurredAt": time.Now().UTC().Format(time.RFC3339Nano),
	})
	err := f.store.Do(f.ctx, func(tx *postgres.Tx) error {
		_, err := tx.Raw().Exec(f.ctx, `
			insert into callback_evidence (id, tenant_id, external_system, callback_id, external_correlation_id,
			    order_id, fulfillment_task_id, signature_valid, payload, payload_hash)
			values ($1, $2, $3, $4, $5, $6, $7, true, $8, $9)`,
			evidenceID, tenant, task.OwnerSystem, "pe-"+evidenceID, task.ExternalCorrelationID, o.OrderID, task.ID,
			string(payload), adapter.HashBytes(payload))
		tx.Record(nil, []domain.Event{{
			EventID: eventID, EventType: "ExternalTaskResultReceived", EventVersion: 1, OccurredAt: time.Now().UTC(),
			TenantID: tenant, CorrelationID: "corr-wt", AggregateType: domain.AggregateFulfillmentTask, AggregateID: task.ID,
			Payload: map[string]any{
				"orderId": o.OrderID, "taskId": task.ID, "externalSystem": task.OwnerSystem,
				"externalCorrelationId": task.ExternalCorrelationID, "outcome": outcome, "reasonCode": reasonCode,
				"callbackEvidenceId": evidenceID,
			},
		}})
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return eventID
}

// submitted returns the async task after an accepted submission.
func (f *fixture) submitted(o *order) *domain.Task {
	f.t.Helper()
	f.ext.answer("CONFIRM_SHIPMENT", accepted)
	task := f.task(o, asyncTask)
	f.must(f.run(o, fulfillment.JobSubmitExternalTask, map[string]any{"currentTaskId": task.ID}))
	return f.task(o, asyncTask)
}

func TestApplyDuplicateExternalResultHasOneEffect(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	o := f.newOrder()
	task := f.submitted(o)
	eventID := f.storeCallback(o, task, "COMPLETED", "")
	events := f.allEvents()

	for delivery := 1; delivery <= 2; delivery++ {
		out := f.must(f.run(o, fulfillment.JobApplyExternalResult, map[string]any{"currentTaskId": task.ID, "externalResultEventId": eventID}))
		if len(out) != 1 || out["taskOutcome"] != "COMPLETED" {
			t.Fatalf("delivery %d: output %v, want exactly {taskOutcome: COMPLETED}", delivery, out)
		}
	}
	done := f.task(o, asyncTask)
	if done.Status != domain.TaskCompleted || !strings.HasPrefix(done.ResponseHash, "sha256:") {
		t.Fatalf("task %s with response hash %q, want COMPLETED with the callback's payload hash", done.Status, done.ResponseHash)
	}
	if n := f.events(o, domain.EventFulfillmentTaskCompleted); n != 1 {
		t.Fatalf("%d FulfillmentTaskCompleted events, want 1", n)
	}
	// completing router.ship promotes nothing on its own, so the only new event is the completion
	if n := f.allEvents() - events; n != 1 {
		t.Fatalf("%d new events, want 1", n)
	}
	if n := f.count(`select count(*) from external_call_attempt where status = 'COMPLETED' and fulfillment_task_id = $1`, task.ID); n != 1 {
		t.Fatalf("external call not settled COMPLETED")
	}
	if n := f.count(`select count(*) from callback_evidence where processed_at is not null and external_call_attempt_id is not null`); n != 1 {
		t.Fatalf("callback evidence not marked processed and linked to its call")
	}
	if n := f.attempts(task.ID); n != 1 {
		t.Fatalf("%d attempt rows, want 1", n)
	}
	if v := f.counter("fulfillment_task_completed_total", fulfillment.JobApplyExternalResult); v != 1 {
		t.Fatalf("fulfillment_task_completed_total = %v, want 1", v)
	}
}

func TestApplyRejectedExternalResultFailsTheTask(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	o := f.newOrder()
	task := f.submitted(o)
	eventID := f.storeCallback(o, task, "REJECTED", "CARRIER_REFUSED")

	out := f.must(f.run(o, fulfillment.JobApplyExternalResult, map[string]any{"currentTaskId": task.ID, "externalResultEventId": eventID}))
	if out["taskOutcome"] != "FAILED" {
		t.Fatalf("output %v, want taskOutcome FAILED", out)
	}
	failed := f.task(o, asyncTask)
	if failed.Status != domain.TaskFailed || failed.LastFailureCode != "CARRIER_REFUSED" {
		t.Fatalf("task %s (%s), want FAILED with the partner's reason", failed.Status, failed.LastFailureCode)
	}
	if n := f.count(`select count(*) from external_call_attempt where status = 'REJECTED'`); n != 1 {
		t.Fatalf("external call not settled REJECTED")
	}
}

func TestApplyExternalResultWithoutCorrelationIsBadData(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	o := f.newOrder()
	task := f.submitted(o)
	other := f.task(o, "access.check")
	otherEvent := f.storeCallback(o, other, "COMPLETED", "")
	otherEvidence := f.storeCallback(o, other, "COMPLETED", "")
	f.forgetOutboxRow(otherEvidence)
	events := f.allEvents()

	for name, tc := range map[string]struct {
		eventID any
		want    string
	}{
		"no event id":              {nil, "externalResultEventId"},
		"unknown event":            {domain.NewUUID(), "no callback evidence or outbox event"},
		"event of another task":    {otherEvent, "reports order"},
		"evidence of another task": {otherEvidence, "is for order"},
	} {
		_, err := f.run(o, fulfillment.JobApplyExternalResult, map[string]any{"currentTaskId": task.ID, "externalResultEventId": tc.eventID})
		fl := failure(t, err)
		if fl.Class != worker.ClassBadData || !strings.Contains(err.Error(), "missing external correlation") || !strings.Contains(err.Error(), tc.want) {
			t.Fatalf("%s: got %v (%v), want bad data naming %q", name, err, fl.Class, tc.want)
		}
	}
	if got := f.task(o, asyncTask).Status; got != domain.TaskSubmitted {
		t.Fatalf("task is %s, want still SUBMITTED", got)
	}
	if n := f.allEvents() - events; n != 0 {
		t.Fatalf("%d events written by refused results", n)
	}
}

// forgetOutboxRow links a stored callback's evidence to its event, as the callback API does since
// evidence names its event, and deletes the event's outbox row, as the outbox relay does in delete
// mode or after its retention.
func (f *fixture) forgetOutboxRow(eventID string) {
	f.t.Helper()
	err := f.store.Do(f.ctx, func(tx *postgres.Tx) error {
		tag, err := tx.Raw().Exec(f.ctx, `update callback_evidence set result_event_id = $2
			where tenant_id = $1 and id = (select (envelope::jsonb #>> '{payload,callbackEvidenceId}')::uuid from outbox_event where id = $2)`, tenant, eventID)
		if err == nil && tag.RowsAffected() != 1 {
			err = fmt.Errorf("linked %d evidence rows to event %s", tag.RowsAffected(), eventID)
		}
		if err == nil {
			_, err = tx.Raw().Exec(f.ctx, `delete from outbox_event where id = $1`, eventID)
		}
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
}

// The result is found through the evidence that names the event, so it still applies once the
// outbox relay has deleted the event's row.
func TestApplyExternalResultAfterTheOutboxRowIsGone(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	o := f.newOrder()
	eventID := f.storeCallback(o, f.submitted(o), "COMPLETED", "")
	f.forgetOutboxRow(eventID)
	out := f.must(f.run(o, fulfillment.JobApplyExternalResult, map[string]any{"currentTaskId": f.task(o, asyncTask).ID, "externalResultEventId": eventID}))
	if out["taskOutcome"] != "COMPLETED" || f.task(o, asyncTask).Status != domain.TaskCompleted {
		t.Fatalf("output %v, task %s: want the result applied from the evidence", out, f.task(o, asyncTask).Status)
	}
}
