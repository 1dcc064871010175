package fulfillment_test

import (
	"strings"
	"testing"
	"time"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/fulfillment"
	"github.com/orderfleet/orderfleet/internal/postgres"
	"github.com/orderfleet/orderfleet/internal/worker"
)

func TestTimeoutOpensOneFalloutAsThePolicySays(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	o := f.newOrder()
	task := f.submitted(o) // CONFIRM_SHIPMENT: onTimeout OPEN_FALLOUT, category EXTERNAL_SYSTEM_TIMEOUT

	for delivery := 1; delivery <= 2; delivery++ {
		out := f.must(f.run(o, fulfillment.JobApplyTimeout, map[string]any{"currentTaskId": task.ID}))
		if len(out) != 2 || out["timeoutAction"] != "OPEN_FALLOUT" || out["taskOutcome"] != "TIMED_OUT" {
			t.Fatalf("delivery %d: output %v, want {timeoutAction: OPEN_FALLOUT, taskOutcome: TIMED_OUT}", delivery, out)
		}
	}
	if got := f.task(o, asyncTask); got.Status != domain.TaskTimedOut || got.LastFailureCode != "TIMEOUT" {
		t.Fatalf("task %s (%s), want TIMED_OUT", got.Status, got.LastFailureCode)
	}
	if n := f.events(o, domain.EventFulfillmentTaskTimedOut); n != 1 {
		t.Fatalf("%d FulfillmentTaskTimedOut events, want 1", n)
	}
	if n := f.count(`select count(*) from external_call_attempt where status = 'TIMED_OUT'`); n != 1 {
		t.Fatalf("external call not marked TIMED_OUT")
	}
	var evidence string
	if err := f.pool.QueryRow(f.ctx, `select evidence_ref from audit_entry where aggregate_id = $1 and state_after = 'TIMED_OUT'`,
		task.ID).Scan(&evidence); err != nil || !strings.HasPrefix(evidence, "zeebe:process-instance:") {
		t.Fatalf("timeout audit evidence %q (%v), want the timer's process instance and job", evidence, err)
	}
	if n := f.count(`select count(*) from fallout_case where task_id = $1 and category = 'EXTERNAL_SYSTEM_TIMEOUT' and retryable`, task.ID); n != 1 {
		t.Fatalf("%d retryable EXTERNAL_SYSTEM_TIMEOUT cases for the task, want 1", n)
	}
	// the workflow then routes to open-fulfillment-fallout, which returns the same case
	out := f.must(f.run(o, fulfillment.JobOpenFallout, map[string]any{"currentTaskId": task.ID}))
	if n := f.count(`select count(*) from fallout_case where id = $1`, out["falloutCaseId"]); n != 1 || f.count(`select count(*) from fallout_case`) != 1 {
		t.Fatalf("open-fallout returned %v; want the case the timeout opened, and only it", out)
	}
	if v := f.counter("fulfillment_task_timeout_total", fulfillment.JobApplyTimeout); v != 1 {
		t.Fatalf("fulfillment_task_timeout_total = %v, want 1", v)
	}
	if v := f.counter("fulfillment_process_fallout_total", fulfillment.JobApplyTimeout) + f.counter("fulfillment_process_fallout_total", fulfillment.JobOpenFallout); v != 1 {
		t.Fatalf("fulfillment_process_fallout_total = %v, want 1", v)
	}
}

func TestTimeoutAfterTheResultHasNoEffect(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	o := f.newOrder()
	task := f.submitted(o)
	f.must(f.run(o, fulfillment.JobApplyExternalResult, map[string]any{
		"currentTaskId": task.ID, "externalResultEventId": f.storeCallback(o, task, "COMPLETED", "")}))
	events := f.allEvents()

	out := f.must(f.run(o, fulfillment.JobApplyTimeout, map[string]any{"currentTaskId": task.ID}))
	if out["timeoutAction"] != fulfillment.TimeoutNoAction || out["taskOutcome"] != "COMPLETED" {
		t.Fatalf("output %v, want {timeoutAction: NONE, taskOutcome: COMPLETED}", out)
	}
	if got := f.task(o, asyncTask).Status; got != domain.TaskCompleted {
		t.Fatalf("task is %s, want still COMPLETED", got)
	}
	if n := f.allEvents() - events; n != 0 || f.count(`select count(*) from fallout_case`) != 0 {
		t.Fatalf("a late timer wrote %d events or opened fallout", n)
	}
	if !f.sawLog("timer fired for a task no longer in flight; no effect") {
		t.Fatal("no log line explains why the timer had no effect")
	}
}

func TestTimeoutWithRetryPolicyPutsTheTaskBack(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	// CHECK_SERVICEABILITY: onTimeout RETRY, 3 attempts. The partner never answers in time.
	f.ext.answer("CHECK_SERVICEABILITY", unavailable(100, completed))
	o := f.newOrder()
	task := f.task(o, "access.check")
	_, err := f.run(o, fulfillment.JobExecuteTask, map[string]any{"currentTaskId": task.ID})
	if failure(t, err).Class != worker.ClassTransient {
		t.Fatalf("want a transient failure, got %v", err)
	}

	for delivery := 1; delivery <= 2; delivery++ {
		out := f.must(f.run(o, fulfillment.JobApplyTimeout, map[string]any{"currentTaskId": task.ID}))
		if out["timeoutAction"] != "RETRY" || out["taskOutcome"] != "TIMED_OUT" {
			t.Fatalf("delivery %d: output %v, want {timeoutAction: RETRY, taskOutcome: TIMED_OUT}", delivery, out)
		}
	}
	if got := f.task(o, "access.check"); got.Status != domain.TaskReady || got.Attempts != 1 {
		t.Fatalf("task %s after %d attempts, want READY for a second attempt", got.Status, got.Attempts)
	}
	if n := f.count(`select count(*) from fallout_case`); n != 0 {
		t.Fatalf("%d fallout cases for a retryable timeout", n)
	}
	if n := f.events(o, domain.EventFulfillmentTaskTimedOut); n != 1 {
		t.Fatalf("%d FulfillmentTaskTimedOut events, want 1", n)
	}
}

// An operator repairs the case the timeout opened before the process reaches open-fallout. The
// job must answer that same case, whose buffered repair message then releases the process, and
// must not open a second case for a task that is no longer failing.
func TestOpenFalloutAfterAnEarlyRepairAnswersTheRepairedCase(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	o := f.newOrder()
	task := f.submitted(o)
	f.must(f.run(o, fulfillment.JobApplyTimeout, map[string]any{"currentTaskId": task.ID}))
	var caseID string
	if err := f.pool.QueryRow(f.ctx, `select id::text from fallout_case where task_id = $1`, task.ID).Scan(&caseID); err != nil {
		t.Fatal(err)
	}
	err := f.store.Do(f.ctx, func(tx *postgres.Tx) error {
		fc, err := tx.Fallout(tenant, caseID)
		if err != nil {
			return err
		}
		p, err := tx.Plan(tenant, fc.FulfillmentPlanID)
		if err != nil {
			return err
		}
		_, err = domain.RepairFallout(fc, p, domain.RepairRetry, domain.Justification{ReasonCode: "PARTNER_RECOVERED",
			Reason: "back up", OperatorID: "ops-1"}, "corr-1", time.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	out := f.must(f.run(o, fulfillment.JobOpenFallout, map[string]any{"currentTaskId": task.ID}))
	if out["falloutCaseId"] != caseID {
		t.Fatalf("open-fallout answered case %v, want the repaired case %s", out["falloutCaseId"], caseID)
	}
	if n := f.count(`select count(*) from fallout_case where task_id = $1`, task.ID); n != 1 {
		t.Fatalf("%d fallout cases for the task, want 1", n)
	}
}
