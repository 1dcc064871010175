package fulfillment_test

import (
	"context"
	"errors"
	"testing"

	"github.com/orderfleet/orderfleet/internal/adapter"
	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/fulfillment"
	"github.com/orderfleet/orderfleet/internal/worker"
)

// router.ship (CONFIRM_SHIPMENT, shipping-adapter) is AUTOMATED_ASYNC and ready from the start.
const asyncTask = "router.ship"

func TestSubmitAcceptedRequestIsRecordedOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.ext.answer("CONFIRM_SHIPMENT", accepted)
	o := f.newOrder()
	task := f.task(o, asyncTask)

	for delivery := 1; delivery <= 2; delivery++ {
		out := f.must(f.run(o, fulfillment.JobSubmitExternalTask, map[string]any{"currentTaskId": task.ID}))
		if len(out) != 1 || out["taskSettled"] != false {
			t.Fatalf("delivery %d: output %v, want exactly {taskSettled: false}", delivery, out)
		}
		if delivery == 1 {
			continue
		}
		// the redelivery: same outcome, no second attempt, call, external call row or event
		if got := f.task(o, asyncTask); got.Status != domain.TaskSubmitted {
			t.Fatalf("task is %s, want SUBMITTED", got.Status)
		}
		if n := f.attempts(task.ID); n != 1 {
			t.Fatalf("%d attempt rows, want 1", n)
		}
		if calls, effects := f.ext.totalCalls(), f.ext.effectsFor(task.ID); calls != 1 || effects != 1 {
			t.Fatalf("adapter saw %d calls and %d effects, want 1 and 1", calls, effects)
		}
		if n := f.events(o, domain.EventFulfillmentTaskStarted); n != 1 {
			t.Fatalf("%d FulfillmentTaskStarted events, want 1", n)
		}
	}
	var status, corr, key, reqHash string
	var attemptNo int
	err := f.pool.QueryRow(f.ctx, `select status, external_correlation_id, idempotency_key, request_hash, attempt_no
		from external_call_attempt where fulfillment_task_id = $1`, task.ID).Scan(&status, &corr, &key, &reqHash, &attemptNo)
	if err != nil {
		t.Fatalf("one external call row expected: %v", err)
	}
	want := domain.IdempotencyKey(tenant, o.OrderID, task.ID, "execute-1")
	if status != "SUBMITTED" || corr == "" || key != want || reqHash != task.InputSnapshotHash || attemptNo != 1 {
		t.Fatalf("external call = %s %q %q %q #%d, want SUBMITTED with the correlation id, key %s and the input hash",
			status, corr, key, reqHash, attemptNo, want)
	}
	if got := f.task(o, asyncTask).ExternalCorrelationID; got != corr {
		t.Fatalf("task waits for %q, external call says %q", got, corr)
	}
	if v := f.counter("fulfillment_task_started_total", fulfillment.JobSubmitExternalTask); v != 1 {
		t.Fatalf("fulfillment_task_started_total = %v, want 1", v)
	}
}

func TestSubmitAdapterOutageIsRetriedUnderTheSameKey(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.ext.answer("CONFIRM_SHIPMENT", unavailable(1, accepted))
	o := f.newOrder()
	task := f.task(o, asyncTask)
	events := f.allEvents()

	_, err := f.run(o, fulfillment.JobSubmitExternalTask, map[string]any{"currentTaskId": task.ID})
	if fl := failure(t, err); fl.Class != worker.ClassTransient || fl.RetryAfter != task.Retry.Backoff {
		t.Fatalf("outage gave %v (retry after %v), want transient with the task's backoff %v", fl.Class, fl.RetryAfter, task.Retry.Backoff)
	}
	// nothing half-written: the attempt is open, nothing was submitted
	if got := f.task(o, asyncTask); got.Status != domain.TaskInProgress {
		t.Fatalf("task is %s after the outage, want IN_PROGRESS", got.Status)
	}
	if n := f.count(`select count(*) from external_call_attempt`); n != 0 {
		t.Fatalf("%d external call rows after a failed call", n)
	}
	if n := f.allEvents() - events; n != 1 {
		t.Fatalf("%d events after the outage, want only FulfillmentTaskStarted", n)
	}
	if v := f.counter("fulfillment_task_retry_total", fulfillment.JobSubmitExternalTask); v != 1 {
		t.Fatalf("fulfillment_task_retry_total = %v, want 1", v)
	}

	f.must(f.run(o, fulfillment.JobSubmitExternalTask, map[string]any{"currentTaskId": task.ID}))
	if keys := f.ext.keysFor(task.ID); len(keys) != 1 || f.ext.calls[keys[0]] != 2 || f.ext.effectsFor(task.ID) != 1 {
		t.Fatalf("keys %v, calls %v, effects %d: want one key called twice with one effect", keys, f.ext.calls, f.ext.effectsFor(task.ID))
	}
	if n := f.attempts(task.ID); n != 1 {
		t.Fatalf("%d attempt rows, want 1", n)
	}
}

// The partner performed the effect, then the database went away before the answer was stored.
// The retried job must call again under the same key and record exactly one submission.
func TestSubmitDatabaseLostAfterTheCallLeavesNothingHalfWritten(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.ext.answer("CONFIRM_SHIPMENT", accepted)
	o := f.newOrder()
	task := f.task(o, asyncTask)

	ctx, lose := context.WithCancel(f.ctx)
	f.ext.afterEffect = func(adapter.Request) { lose() }
	_, err := f.handlers[fulfillment.JobSubmitExternalTask](ctx, f.job(o, fulfillment.JobSubmitExternalTask, map[string]any{"currentTaskId": task.ID}))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want the lost connection (context canceled), which the harness retries", err)
	}
	f.ext.afterEffect = nil
	if got := f.task(o, asyncTask); got.Status != domain.TaskInProgress {
		t.Fatalf("task is %s, want IN_PROGRESS (the answer was not stored)", got.Status)
	}
	if n := f.count(`select count(*) from external_call_attempt`); n != 0 {
		t.Fatalf("%d external call rows, want 0", n)
	}

	out := f.must(f.run(o, fulfillment.JobSubmitExternalTask, map[string]any{"currentTaskId": task.ID}))
	if out["taskSettled"] != false {
		t.Fatalf("output %v", out)
	}
	if calls, effects := f.ext.callsFor(task.ID), f.ext.effectsFor(task.ID); calls != 2 || effects != 1 {
		t.Fatalf("adapter saw %d calls and %d effects, want 2 and 1", calls, effects)
	}
	if n := f.count(`select count(*) from external_call_attempt where fulfillment_task_id = $1`, task.ID); n != 1 {
		t.Fatalf("%d external call rows, want 1", n)
	}
}

func TestSubmitRejectionFailsTheTaskAndOpensOneFallout(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.ext.answer("CONFIRM_SHIPMENT", rejected("ADDRESS_UNDELIVERABLE"))
	o := f.newOrder()
	task := f.task(o, asyncTask)

	out := f.must(f.run(o, fulfillment.JobSubmitExternalTask, map[string]any{"currentTaskId": task.ID}))
	if out["taskSettled"] != true {
		t.Fatalf("output %v, want taskSettled true (no wait for a rejected request)", out)
	}
	failed := f.task(o, asyncTask)
	if failed.Status != domain.TaskFailed || failed.LastFailureCode != "ADDRESS_UNDELIVERABLE" {
		t.Fatalf("task is %s (%s), want FAILED with the partner's reason", failed.Status, failed.LastFailureCode)
	}
	loaded := f.must(f.run(o, fulfillment.JobLoadFulfillmentPlan, nil))
	if loaded["failedTaskId"] != task.ID {
		t.Fatalf("load-plan failedTaskId = %v, want %s", loaded["failedTaskId"], task.ID)
	}

	var ids []any
	for range 2 {
		out := f.must(f.run(o, fulfillment.JobOpenFallout, map[string]any{"failedTaskId": task.ID, "falloutReason": nil, "falloutCategory": nil}))
		ids = append(ids, out["falloutCaseId"])
	}
	if ids[0] == nil || ids[0] != ids[1] {
		t.Fatalf("fallout case ids %v, want the same case twice", ids)
	}
	if n := f.count(`select count(*) from fallout_case`); n != 1 {
		t.Fatalf("%d fallout cases, want 1", n)
	}
	if n := f.events(o, domain.EventFulfillmentFalloutOpened); n != 1 {
		t.Fatalf("%d FulfillmentFalloutOpened events, want 1", n)
	}
	fc, err := f.store.GetFallout(f.ctx, tenant, ids[0].(string))
	if err != nil {
		t.Fatal(err)
	}
	if fc.TaskID != task.ID || fc.OrderItemID != task.OrderItemID || fc.Category != domain.FalloutExternalSystemRejected ||
		fc.SourceSystem != adapter.SystemShipping || fc.Severity != domain.SeverityMedium || fc.Retryable ||
		!fc.RequiresManualRepair || fc.EvidenceHash == "" || len(fc.SuggestedRepairActions) == 0 || fc.Status != domain.FalloutOpen {
		t.Fatalf("fallout case not filled from the truth: %+v", fc)
	}
	if v := f.counter("fulfillment_process_fallout_total", fulfillment.JobOpenFallout); v != 1 {
		t.Fatalf("fulfillment_process_fallout_total = %v, want 1", v)
	}
	if v := f.counter("fulfillment_task_failed_total", fulfillment.JobSubmitExternalTask); v != 1 {
		t.Fatalf("fulfillment_task_failed_total = %v, want 1", v)
	}
}

func TestSubmitForASettledTaskHasNoEffect(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	o := f.newOrder()
	done := f.task(o, asyncTask)
	// the partner answered at once: the task is COMPLETED by the first delivery
	out := f.must(f.run(o, fulfillment.JobSubmitExternalTask, map[string]any{"currentTaskId": done.ID}))
	if out["taskSettled"] != true || f.task(o, asyncTask).Status != domain.TaskCompleted {
		t.Fatalf("output %v, task %s: want a settled, COMPLETED task", out, f.task(o, asyncTask).Status)
	}
	// a task the OMS cancelled before it started
	cancelled := f.task(o, "access.check")
	err := f.store.UpdatePlan(f.ctx, tenant, o.FulfillmentPlanID, func(p *domain.Plan) error {
		_, err := p.CancelOutstandingTasks(cause())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	events, calls := f.allEvents(), f.ext.totalCalls()

	for _, task := range []*domain.Task{done, cancelled} {
		out := f.must(f.run(o, fulfillment.JobSubmitExternalTask, map[string]any{"currentTaskId": task.ID}))
		if out["taskSettled"] != true {
			t.Fatalf("task %s: output %v, want taskSettled true", task.Key, out)
		}
	}
	if n := f.ext.totalCalls() - calls; n != 0 {
		t.Fatalf("%d adapter calls for settled tasks, want 0", n)
	}
	if n := f.allEvents() - events; n != 0 {
		t.Fatalf("%d events written by jobs for settled tasks", n)
	}
	if got := f.task(o, "access.check").Status; got != domain.TaskCancelled {
		t.Fatalf("cancelled task is now %s", got)
	}
	if !f.sawLog("task already submitted or settled; no request sent") {
		t.Fatalf("no log line explains why the job had no effect")
	}
}
