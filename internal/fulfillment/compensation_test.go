package fulfillment_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/fulfillment"
	"github.com/orderfleet/orderfleet/internal/worker"
)

// cancelledAfterWork completes access.check, access.reserve, ip.reserve (reversible reservations)
// and router.ship (a shipment, not reversible), then the customer cancels. The compensation plan
// is: release ip.reserve, then release access.reserve, and the shipment awaiting review.
func (f *fixture) cancelledAfterWork() *order {
	f.t.Helper()
	o := f.newOrder()
	f.runSync(o, "access.check")
	f.runSync(o, "access.reserve")
	f.runSync(o, "ip.reserve")
	f.must(f.run(o, fulfillment.JobSubmitExternalTask, map[string]any{"currentTaskId": f.task(o, asyncTask).ID}))
	if got := f.task(o, asyncTask).Status; got != domain.TaskCompleted {
		f.t.Fatalf("setup: %s is %s", asyncTask, got)
	}
	f.requestCancellation(o)
	return o
}

func (f *fixture) startCompensation(o *order) (string, []string) {
	f.t.Helper()
	out := f.must(f.run(o, fulfillment.JobStartCompensation, map[string]any{"compensationReason": "CUSTOMER_CANCELLED"}))
	ids, _ := out["compensationStepIds"].([]string)
	return out["compensationPlanId"].(string), ids
}

func (f *fixture) step(cpID, stepID string) *domain.CompensationStep {
	f.t.Helper()
	cp, err := f.store.GetCompensationPlan(f.ctx, tenant, cpID)
	if err != nil {
		f.t.Fatal(err)
	}
	s, err := cp.Step(stepID)
	if err != nil {
		f.t.Fatal(err)
	}
	return s
}

func compensationJob(cpID, stepID string) map[string]any {
	return map[string]any{"compensationPlanId": cpID, "currentCompensationStepId": stepID}
}

func TestCompensationAfterCancellationUndoesCompletedWorkOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	o := f.cancelledAfterWork()

	cpID, steps := f.startCompensation(o)
	again, stepsAgain := f.startCompensation(o)
	out := f.must(f.run(o, fulfillment.JobStartCompensation, map[string]any{"compensationReason": "CUSTOMER_CANCELLED"}))
	if again != cpID || !slices.Equal(steps, stepsAgain) || len(steps) != 3 || out["compensationNeeded"] != true {
		t.Fatalf("start twice gave %s %v and %s %v (needed %v); want one plan of 3 steps", cpID, steps, again, stepsAgain, out["compensationNeeded"])
	}
	if n := f.count(`select count(*) from compensation_plan`); n != 1 {
		t.Fatalf("%d compensation plans, want 1", n)
	}
	if n := f.events(o, domain.EventCompensationStarted); n != 1 {
		t.Fatalf("%d CompensationStarted events, want 1", n)
	}
	if f.orderStatus(o) != domain.OrderCompensating || f.task(o, "access.provision").Status != domain.TaskCancelled {
		t.Fatalf("order %s, access.provision %s: want COMPENSATING and the unstarted task CANCELLED",
			f.orderStatus(o), f.task(o, "access.provision").Status)
	}
	ipRelease, accessRelease, shipment := steps[0], steps[1], steps[2]
	if f.step(cpID, ipRelease).SourceTaskID != f.task(o, "ip.reserve").ID || f.step(cpID, shipment).Status != domain.StepAwaitingReview {
		t.Fatalf("steps not in reverse dependency order with the shipment awaiting review")
	}

	// the earlier reservation cannot be released while the later one still holds
	_, err := f.run(o, fulfillment.JobExecuteCompensationTask, compensationJob(cpID, accessRelease))
	if !domain.IsCode(err, domain.ENOTELIGIBLE) {
		t.Fatalf("out-of-order step gave %v, want not_eligible (retried)", err)
	}
	for _, id := range []string{ipRelease, ipRelease, accessRelease, shipment, shipment} {
		f.must(f.run(o, fulfillment.JobExecuteCompensationTask, compensationJob(cpID, id)))
	}
	for _, key := range []string{"ip.reserve", "access.reserve"} {
		task := f.task(o, key)
		if task.Status != domain.TaskCompensated || f.ext.effectsFor(task.ID) != 2 || f.ext.callsFor(task.ID) != 2 {
			t.Fatalf("%s is %s with %d calls / %d effects; want COMPENSATED, one reserve and one release",
				key, task.Status, f.ext.callsFor(task.ID), f.ext.effectsFor(task.ID))
		}
	}
	if n := f.events(o, domain.EventCompensationTaskCompleted); n != 2 {
		t.Fatalf("%d CompensationTaskCompleted events, want 2", n)
	}
	if got := f.step(cpID, shipment).Status; got != domain.StepAwaitingReview || f.ext.callsFor(f.task(o, asyncTask).ID) != 1 {
		t.Fatalf("shipment step is %s with %d calls; a step awaiting review must not run", got, f.ext.callsFor(f.task(o, asyncTask).ID))
	}
	if out := f.must(f.run(o, fulfillment.JobFinalizeFulfillment, nil)); out["orderStatus"] != "COMPENSATING" {
		t.Fatalf("finalize with a step awaiting review: %v, want COMPENSATING", out)
	}

	// an operator keeps the shipment; the compensation is then complete and the order cancelled
	err = f.store.UpdateCompensation(f.ctx, tenant, cpID, func(cp *domain.CompensationPlan, p *domain.Plan) error {
		return cp.ReviewStep(p, shipment, false, domain.Justification{ReasonCode: "ALREADY_DELIVERED", Reason: "router delivered", OperatorID: "ops-1"}, "corr-wt")
	})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if out := f.must(f.run(o, fulfillment.JobFinalizeFulfillment, nil)); out["orderStatus"] != "CANCELLED" {
			t.Fatalf("finalize after the review: %v, want CANCELLED", out)
		}
	}
	if n := f.events(o, domain.EventOrderCancelled); n != 1 {
		t.Fatalf("%d OrderCancelled events, want 1", n)
	}
	if n := f.count(`select count(*) from fulfillment_execution where status = 'CANCELLED'`); n != 1 {
		t.Fatalf("execution not closed as CANCELLED")
	}
	if v := f.counter("fulfillment_compensation_started_total", fulfillment.JobStartCompensation); v != 1 {
		t.Fatalf("fulfillment_compensation_started_total = %v, want 1", v)
	}
	if v := f.counter("fulfillment_process_completed_total", fulfillment.JobFinalizeFulfillment); v != 1 {
		t.Fatalf("fulfillment_process_completed_total = %v after a cancellation finalized twice, want 1", v)
	}
}

func TestCompensationFailureIsABusinessErrorAndOpensFallout(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	o := f.cancelledAfterWork()
	cpID, steps := f.startCompensation(o)
	f.ext.answer("RELEASE_RESOURCE", rejected("RESOURCE_LOCKED"))
	source := f.task(o, "ip.reserve")

	for delivery := 1; delivery <= 2; delivery++ {
		_, err := f.run(o, fulfillment.JobExecuteCompensationTask, compensationJob(cpID, steps[0]))
		fl := failure(t, err)
		if fl.Class != worker.ClassBusiness || fl.Code != fulfillment.ErrorCompensationFailed ||
			fl.Variables["falloutReason"] != "COMPENSATION_FAILED" || !strings.Contains(err.Error(), "RESOURCE_LOCKED") {
			t.Fatalf("delivery %d: got %v (%+v), want business error COMPENSATION_FAILED naming the reason", delivery, err, fl)
		}
	}
	if calls := f.ext.callsFor(source.ID); calls != 2 { // the reservation and one release attempt
		t.Fatalf("%d calls for ip.reserve, want 2 (a failed step is not called again)", calls)
	}
	if s := f.step(cpID, steps[0]); s.Status != domain.StepFailed || f.task(o, "ip.reserve").Status != domain.TaskCompensationFailed {
		t.Fatalf("step %s, task %s: want FAILED and COMPENSATION_FAILED", s.Status, f.task(o, "ip.reserve").Status)
	}
	if v := f.counter("fulfillment_compensation_failed_total", fulfillment.JobExecuteCompensationTask); v != 1 {
		t.Fatalf("fulfillment_compensation_failed_total = %v, want 1", v)
	}
	if n := f.events(o, domain.EventCompensationFailed); n != 1 {
		t.Fatalf("%d CompensationFailed events, want 1", n)
	}

	out := f.must(f.run(o, fulfillment.JobOpenFallout, map[string]any{"falloutReason": "COMPENSATION_FAILED"}))
	fc, err := f.store.GetFallout(f.ctx, tenant, out["falloutCaseId"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if fc.Category != domain.FalloutCompensationFailed || fc.TaskID != source.ID || fc.Severity != domain.SeverityHigh ||
		fc.CustomerImpact != domain.ImpactServiceDegraded || !slices.Contains(fc.SuggestedRepairActions, domain.RepairCompensate) {
		t.Fatalf("compensation fallout not filled from the truth: %+v", fc)
	}
}

func TestCompensationAdapterOutageRetriesUnderTheSameKey(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	o := f.cancelledAfterWork()
	cpID, steps := f.startCompensation(o)
	f.ext.answer("RELEASE_RESOURCE", unavailable(1, completed))

	_, err := f.run(o, fulfillment.JobExecuteCompensationTask, compensationJob(cpID, steps[0]))
	if failure(t, err).Class != worker.ClassTransient {
		t.Fatalf("outage gave %v, want transient", err)
	}
	if got := f.step(cpID, steps[0]).Status; got != domain.StepInProgress {
		t.Fatalf("step is %s after the outage, want IN_PROGRESS", got)
	}
	f.must(f.run(o, fulfillment.JobExecuteCompensationTask, compensationJob(cpID, steps[0])))
	source := f.task(o, "ip.reserve")
	var releaseKeys []string
	for _, k := range f.ext.keysFor(source.ID) {
		if strings.HasSuffix(k, ":compensate-1") {
			releaseKeys = append(releaseKeys, k)
		}
	}
	if len(releaseKeys) != 1 || f.ext.calls[releaseKeys[0]] != 2 || f.ext.effects[releaseKeys[0]] != 1 {
		t.Fatalf("release keys %v with calls %v: want one key, called twice, one effect", releaseKeys, f.ext.calls)
	}
	if got := f.step(cpID, steps[0]); got.Status != domain.StepCompleted || got.Attempts != 1 {
		t.Fatalf("step %s after %d attempts, want COMPLETED after 1", got.Status, got.Attempts)
	}
}

// Another writer changes the order while start-compensation is writing it: the optimistic check
// fails, the command reloads and succeeds once, instead of overwriting or doubling anything.
func TestStartCompensationSurvivesAStaleOrderVersion(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	o := f.cancelledAfterWork()
	before := f.count(`select version from customer_order where id = $1`, o.OrderID)

	other, err := f.pool.Begin(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Rollback(f.ctx) //nolint:errcheck // no-op after commit
	if _, err := other.Exec(f.ctx, `update customer_order set version = version + 1, updated_at = now() where id = $1`, o.OrderID); err != nil {
		t.Fatal(err)
	}
	type result struct {
		out map[string]any
		err error
	}
	done := make(chan result, 1)
	go func() {
		out, err := f.run(o, fulfillment.JobStartCompensation, map[string]any{"compensationReason": "CUSTOMER_CANCELLED"})
		done <- result{out, err}
	}()
	// wait until the command's write of the order is blocked behind the other writer
	deadline := time.Now().Add(20 * time.Second)
	for f.count(`select count(*) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("start-compensation never waited for the concurrent order update")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := other.Commit(f.ctx); err != nil {
		t.Fatal(err)
	}
	res := <-done
	if res.err != nil {
		t.Fatalf("start-compensation after a lost race: %v, want success after reloading", res.err)
	}
	if got := f.count(`select version from customer_order where id = $1`, o.OrderID); got != before+2 {
		t.Fatalf("order version %d, want %d (the other writer's change and ours)", got, before+2)
	}
	if f.orderStatus(o) != domain.OrderCompensating || f.count(`select count(*) from compensation_plan`) != 1 ||
		f.events(o, domain.EventCompensationStarted) != 1 {
		t.Fatalf("want the order COMPENSATING with one plan and one CompensationStarted event")
	}
}
