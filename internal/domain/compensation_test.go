package domain

import (
	"reflect"
	"testing"
	"time"
)

// partlyFulfilled runs the bundle up to: check, both reservations and the
// router shipment completed, internet provisioning in flight.
func partlyFulfilled(t *testing.T) *Plan {
	_, p := preparedPlan(t, assetBook{}, CompletionRequiresBillingActive, bundleAdd(1))
	for _, k := range []string{"access.check", "access.reserve", "ip.reserve", "router.ship"} {
		runTask(t, p, taskByKey(t, p, k).ID)
	}
	prov := taskByKey(t, p, "access.provision")
	_, err := p.StartTask(prov.ID, AttemptRequest{}, testCause("RUN"))
	must(t, err)
	must(t, p.SubmitTask(prov.ID, "prov-1", testCause("RUN")))
	p.ClearPending()
	return p
}

func TestCompensationPlanShape(t *testing.T) {
	p := partlyFulfilled(t)
	cp, err := BuildCompensationPlan(p, "cp-1", "PROVISIONING_REJECTED", SequentialIDs(50), testCause("COMPENSATE"))
	if err != nil {
		t.Fatal(err)
	}
	type step struct {
		source, typ string
		status      StepStatus
		review      bool
		deps        []string
	}
	var got []step
	keyOfStep := map[string]string{}
	for _, s := range cp.Steps {
		src, _ := p.Task(s.SourceTaskID)
		keyOfStep[s.ID] = src.Key
	}
	for _, s := range cp.Steps {
		src, _ := p.Task(s.SourceTaskID)
		var deps []string
		for _, d := range s.DependsOn {
			deps = append(deps, keyOfStep[d])
		}
		got = append(got, step{src.Key, string(s.TaskType), s.Status, s.RequiresManualReview, deps})
	}
	want := []step{
		{"ip.reserve", "RELEASE_RESOURCE", StepPending, false, nil},
		{"access.reserve", "RELEASE_RESOURCE", StepPending, false, []string{"ip.reserve"}},
		{"router.ship", "CANCEL_SHIPMENT", StepAwaitingReview, true, nil},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("steps\n got %+v\nwant %+v", got, want)
	}
	if !reflect.DeepEqual(cp.InFlightTaskIDs, []string{taskByKey(t, p, "access.provision").ID}) {
		t.Fatalf("in-flight %v", cp.InFlightTaskIDs)
	}
	if p.Status != PlanCompensating || cp.Status != CompensationPlanned {
		t.Fatalf("plan %s cp %s", p.Status, cp.Status)
	}
	if evs := cp.PendingEvents(); len(evs) != 1 || evs[0].EventType != EventCompensationStarted {
		t.Fatalf("events %v", eventTypes(evs))
	}
}

func TestCompensationExecution(t *testing.T) {
	p := partlyFulfilled(t)
	cp, err := BuildCompensationPlan(p, "cp-1", "CANCELLED_BY_CUSTOMER", SequentialIDs(50), testCause("COMPENSATE"))
	must(t, err)
	ipStep, accessStep, shipStep := cp.Steps[0], cp.Steps[1], cp.Steps[2]
	if !reflect.DeepEqual(cp.ReadyStepIDs(), []string{ipStep.ID}) {
		t.Fatalf("ready %v", cp.ReadyStepIDs())
	}
	if _, err := cp.StartStep(p, accessStep.ID, testCause("X")); ErrorCode(err) != EINVALIDTRANSITION {
		t.Fatalf("earlier effect undone first: %v", err)
	}
	key, err := cp.StartStep(p, ipStep.ID, testCause("UNDO"))
	ipTask, _ := p.Task(ipStep.SourceTaskID)
	if err != nil || key != "tenant-a:"+p.OrderID+":"+ipTask.ID+":compensate-1" || ipTask.Status != TaskCompensating {
		t.Fatalf("start: %v key %s task %s", err, key, ipTask.Status)
	}
	must(t, cp.FailStep(p, ipStep.ID, "INVENTORY_DOWN", testCause("UNDO")))
	if cp.Status != CompensationFailed || ipTask.Status != TaskCompensationFailed || !hasEvent(cp.PendingEvents(), EventCompensationFailed) {
		t.Fatalf("after failure cp %s task %s", cp.Status, ipTask.Status)
	}
	key, err = cp.StartStep(p, ipStep.ID, testCause("UNDO"))
	if err != nil || key[len(key)-12:] != "compensate-2" || cp.Status != CompensationExecuting {
		t.Fatalf("retry start: %v %s %s", err, key, cp.Status)
	}
	must(t, cp.CompleteStep(p, ipStep.ID, testCause("UNDO")))
	if ipTask.Status != TaskCompensated || !reflect.DeepEqual(cp.ReadyStepIDs(), []string{accessStep.ID}) {
		t.Fatalf("task %s ready %v", ipTask.Status, cp.ReadyStepIDs())
	}
	_, err = cp.StartStep(p, accessStep.ID, testCause("UNDO"))
	must(t, err)
	must(t, cp.CompleteStep(p, accessStep.ID, testCause("UNDO")))
	if cp.Done() || cp.Status == CompensationCompleted {
		t.Fatal("done while a review is open")
	}
	if _, err := cp.StartStep(p, shipStep.ID, testCause("X")); ErrorCode(err) != EINVALIDTRANSITION {
		t.Fatalf("non-reversible undo ran without review: %v", err)
	}
	if err := cp.ReviewStep(p, shipStep.ID, false, Justification{ReasonCode: "ROUTER_KEPT", Reason: "customer keeps router", OperatorID: "ops-1"}, "c"); err != nil {
		t.Fatal(err)
	}
	ship, _ := p.Task(shipStep.SourceTaskID)
	if shipStep.Status != StepDeclined || ship.Status != TaskCompleted || cp.Status != CompensationCompleted || p.Status != PlanCompensated {
		t.Fatalf("step %s task %s cp %s plan %s", shipStep.Status, ship.Status, cp.Status, p.Status)
	}
	n := 0
	for _, e := range cp.PendingEvents() {
		if e.EventType == EventCompensationTaskCompleted {
			n++
		}
	}
	if n != 2 {
		t.Fatalf("CompensationTaskCompleted events %d", n)
	}
}

func TestCompensationSkipsUncompletedAndEmpty(t *testing.T) {
	_, p := preparedPlan(t, assetBook{}, CompletionRequiresBillingActive, bundleAdd(1))
	runTask(t, p, taskByKey(t, p, "access.check").ID) // completed but has nothing to undo
	failTask(t, p, taskByKey(t, p, "router.ship").ID, "REJECTED")
	cp, err := BuildCompensationPlan(p, "cp-1", "FAILED", SequentialIDs(50), testCause("COMPENSATE"))
	must(t, err)
	if len(cp.Steps) != 0 {
		t.Fatalf("steps for tasks that did not complete: %d", len(cp.Steps))
	}
	must(t, cp.MarkCompletedIfEmpty(p, testCause("NOTHING")))
	if cp.Status != CompensationCompleted || p.Status != PlanCompensated {
		t.Fatalf("cp %s plan %s", cp.Status, p.Status)
	}
}

func TestOrderCompensationEndState(t *testing.T) {
	for _, cancelled := range []bool{false, true} {
		o := &Order{ID: "o", TenantID: "tenant-a", Status: OrderCompensating}
		if cancelled {
			o.CancellationCode = "CUSTOMER_REQUEST"
		}
		cp := &CompensationPlan{ID: "cp", Status: CompensationExecuting}
		if err := o.FinishCompensation(cp, testCause("X")); ErrorCode(err) != ECONFLICT {
			t.Fatalf("finish before completion: %v", err)
		}
		cp.Status = CompensationCompleted
		must(t, o.FinishCompensation(cp, testCause("X")))
		want := OrderCompensated
		if cancelled {
			want = OrderCancelled
		}
		if o.Status != want {
			t.Fatalf("cancelled=%v: %s", cancelled, o.Status)
		}
	}
}

// Each compensation command stamps its audit entries and events with one instant, so the
// timeline (time, then audit before event) orders them the same way every run; with the wall
// clock read per fact, an event could sort before or after its own transition.
func TestCompensationCommandFactsShareOneInstant(t *testing.T) {
	p := partlyFulfilled(t)
	wallClock := Cause{Actor: Actor{Type: ActorWorker, ID: "test-worker"}, ReasonCode: "UNDO", Reason: "undo", CorrelationID: "corr-1"}
	cp, err := BuildCompensationPlan(p, "cp-1", "CANCELLED_BY_CUSTOMER", SequentialIDs(50), wallClock)
	must(t, err)
	ipStep, accessStep := cp.Steps[0], cp.Steps[1]
	commands := []struct {
		name string
		run  func() error
	}{
		{"BuildCompensationPlan", func() error { return nil }},
		{"StartStep", func() error { _, err := cp.StartStep(p, ipStep.ID, wallClock); return err }},
		{"FailStep", func() error { return cp.FailStep(p, ipStep.ID, "INVENTORY_DOWN", wallClock) }},
		{"StartStep again", func() error { _, err := cp.StartStep(p, ipStep.ID, wallClock); return err }},
		{"CompleteStep", func() error { return cp.CompleteStep(p, ipStep.ID, wallClock) }},
		{"StartStep next", func() error { _, err := cp.StartStep(p, accessStep.ID, wallClock); return err }},
		{"CompleteStep next", func() error { return cp.CompleteStep(p, accessStep.ID, wallClock) }},
	}
	for _, c := range commands {
		must(t, c.run())
		var instants []time.Time
		for _, a := range append(cp.PendingAudit(), p.PendingAudit()...) {
			instants = append(instants, a.OccurredAt)
		}
		for _, e := range append(cp.PendingEvents(), p.PendingEvents()...) {
			instants = append(instants, e.OccurredAt)
		}
		if len(instants) < 2 {
			t.Fatalf("%s recorded %d facts; the check needs at least two", c.name, len(instants))
		}
		for _, at := range instants[1:] {
			if !at.Equal(instants[0]) {
				t.Fatalf("%s stamped its facts with different instants: %v", c.name, instants)
			}
		}
		cp.ClearPending()
		p.ClearPending()
	}
}
