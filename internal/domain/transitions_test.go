package domain

import (
	"fmt"
	"testing"
)

// The expectation lists below are written out by hand, independently of the
// transition tables in the production code: a change to a table that is
// not mirrored here makes these tests fail.

var expectedOrderMoves = []string{
	"CAPTURED>VALIDATED", "CAPTURED>CANCELLED", "CAPTURED>FAILED_WITH_FALLOUT",
	"VALIDATED>DECOMPOSED", "VALIDATED>CANCELLED", "VALIDATED>FAILED_WITH_FALLOUT",
	"DECOMPOSED>FULFILLMENT_READY", "DECOMPOSED>CANCELLED", "DECOMPOSED>FAILED_WITH_FALLOUT",
	"FULFILLMENT_READY>FULFILLING", "FULFILLMENT_READY>CANCELLATION_REQUESTED", "FULFILLMENT_READY>FAILED_WITH_FALLOUT",
	"FULFILLING>SUSPENDED", "FULFILLING>CANCELLATION_REQUESTED", "FULFILLING>COMPENSATING",
	"FULFILLING>COMPLETED", "FULFILLING>PARTIALLY_COMPLETED", "FULFILLING>FAILED_WITH_FALLOUT", "FULFILLING>MANUAL_CLOSED",
	"SUSPENDED>FULFILLING", "SUSPENDED>CANCELLATION_REQUESTED", "SUSPENDED>CANCELLED", "SUSPENDED>FAILED_WITH_FALLOUT",
	"CANCELLATION_REQUESTED>COMPENSATING", "CANCELLATION_REQUESTED>CANCELLED", "CANCELLATION_REQUESTED>FAILED_WITH_FALLOUT",
	"COMPENSATING>COMPENSATED", "COMPENSATING>CANCELLED", "COMPENSATING>FAILED_WITH_FALLOUT", "COMPENSATING>MANUAL_CLOSED",
	"FAILED_WITH_FALLOUT>CANCELLATION_REQUESTED", "FAILED_WITH_FALLOUT>COMPENSATING",
	"FAILED_WITH_FALLOUT>CANCELLED", "FAILED_WITH_FALLOUT>MANUAL_CLOSED",
}

var expectedTaskMoves = []string{
	"PENDING>READY", "PENDING>SKIPPED", "PENDING>CANCELLED",
	"READY>IN_PROGRESS", "READY>SKIPPED", "READY>CANCELLED",
	"IN_PROGRESS>SUBMITTED", "IN_PROGRESS>WAITING", "IN_PROGRESS>COMPLETED", "IN_PROGRESS>FAILED", "IN_PROGRESS>TIMED_OUT",
	"SUBMITTED>WAITING", "SUBMITTED>COMPLETED", "SUBMITTED>FAILED", "SUBMITTED>TIMED_OUT",
	"WAITING>COMPLETED", "WAITING>FAILED", "WAITING>TIMED_OUT", "WAITING>CANCELLED",
	"FAILED>READY", "FAILED>SKIPPED",
	"TIMED_OUT>READY", "TIMED_OUT>SKIPPED",
	"COMPLETED>COMPENSATING",
	"COMPENSATING>COMPENSATED", "COMPENSATING>COMPENSATION_FAILED",
	"COMPENSATION_FAILED>COMPENSATING",
}

var expectedPlanMoves = []string{
	"CREATED>EXECUTING", "CREATED>CANCELLED", "CREATED>FAILED",
	"EXECUTING>COMPLETED", "EXECUTING>FAILED", "EXECUTING>CANCELLED", "EXECUTING>COMPENSATING", "EXECUTING>CLOSED",
	"FAILED>EXECUTING", "FAILED>COMPENSATING", "FAILED>CANCELLED", "FAILED>CLOSED",
	"COMPENSATING>COMPENSATED", "COMPENSATING>CANCELLED", "COMPENSATING>FAILED", "COMPENSATING>CLOSED",
}

var expectedFalloutMoves = []string{
	"OPEN>ESCALATED", "OPEN>REPAIRED", "OPEN>CLOSED", "ESCALATED>REPAIRED", "ESCALATED>CLOSED",
}

var expectedCompensationMoves = []string{
	"PLANNED>EXECUTING", "PLANNED>COMPLETED", "EXECUTING>COMPLETED", "EXECUTING>FAILED", "FAILED>EXECUTING",
}

var expectedStepMoves = []string{
	"PENDING>IN_PROGRESS", "AWAITING_REVIEW>PENDING", "AWAITING_REVIEW>DECLINED",
	"IN_PROGRESS>COMPLETED", "IN_PROGRESS>FAILED", "FAILED>IN_PROGRESS", "FAILED>DECLINED",
}

func toSet(moves []string) map[string]bool {
	s := map[string]bool{}
	for _, m := range moves {
		s[m] = true
	}
	return s
}

// checkMachine compares a transition table against its expectation list over
// every ordered pair of states, and checks each table row is expected.
func checkMachine[S ~string](t *testing.T, name string, states []S, table transitionTable[S], can func(S, S) bool, expected []string) {
	t.Helper()
	want := toSet(expected)
	if len(table) != len(states) {
		t.Errorf("%s: table has %d rows, %d states are declared", name, len(table), len(states))
	}
	// Rows generated from the table itself: every listed move must be expected.
	for from, tos := range table {
		for _, to := range tos {
			if !want[string(from)+">"+string(to)] {
				t.Errorf("%s: table allows %s>%s which the expectation list does not", name, from, to)
			}
		}
	}
	// Every pair, allowed and rejected, against the independent list.
	seen := 0
	for _, from := range states {
		for _, to := range states {
			key := string(from) + ">" + string(to)
			if got := can(from, to); got != want[key] {
				t.Errorf("%s: %s allowed=%v, want %v", name, key, got, want[key])
			}
			if want[key] {
				seen++
			}
		}
	}
	if seen != len(want) {
		t.Errorf("%s: expectation list names %d moves, only %d are between declared states", name, len(want), seen)
	}
}

func TestTransitionTables(t *testing.T) {
	checkMachine(t, "order", OrderStatuses, orderTransitions, CanTransitionOrder, expectedOrderMoves)
	checkMachine(t, "task", TaskStatuses, taskTransitions, CanTransitionTask, expectedTaskMoves)
	checkMachine(t, "plan", PlanStatuses, planTransitions, CanTransitionPlan, expectedPlanMoves)
	checkMachine(t, "fallout", FalloutStatuses, falloutTransitions, CanTransitionFallout, expectedFalloutMoves)
	checkMachine(t, "compensation", CompensationStatuses, compensationTransitions, CanTransitionCompensation, expectedCompensationMoves)
	checkMachine(t, "step", StepStatuses, stepTransitions, CanTransitionStep, expectedStepMoves)
}

// TestOrderTransitionEveryPair drives Order.Transition through all pairs:
// allowed moves change state and record an audit entry; rejected ones fail
// with invalid_transition and leave the order untouched.
func TestOrderTransitionEveryPair(t *testing.T) {
	want := toSet(expectedOrderMoves)
	for _, from := range OrderStatuses {
		for _, to := range OrderStatuses {
			t.Run(fmt.Sprintf("%s>%s", from, to), func(t *testing.T) {
				o := &Order{ID: "o1", TenantID: "tenant-a", Status: from, FulfillmentPlanID: "p1", Version: 3}
				err := o.Transition(to, testCause("MOVE"))
				if !want[string(from)+">"+string(to)] {
					if ErrorCode(err) != EINVALIDTRANSITION {
						t.Fatalf("err = %v, want code %s", err, EINVALIDTRANSITION)
					}
					if o.Status != from || o.HasPending() {
						t.Fatalf("rejected move changed the order: status %s, pending %v", o.Status, o.HasPending())
					}
					return
				}
				if err != nil {
					t.Fatalf("allowed move failed: %v", err)
				}
				audit := o.PendingAudit()
				if o.Status != to || len(audit) != 1 {
					t.Fatalf("status %s, audit entries %d", o.Status, len(audit))
				}
				a := audit[0]
				if a.StateBefore != string(from) || a.StateAfter != string(to) || a.ActorID != "test-worker" ||
					a.ReasonCode != "MOVE" || a.AggregateType != AggregateOrder || a.OrderID != "o1" || !a.OccurredAt.Equal(t0) {
					t.Fatalf("audit entry %+v", a)
				}
			})
		}
	}
}

// TestTaskTransitionEveryPair does the same for the task state machine via
// the single internal setter every task operation goes through.
func TestTaskTransitionEveryPair(t *testing.T) {
	want := toSet(expectedTaskMoves)
	for _, from := range TaskStatuses {
		for _, to := range TaskStatuses {
			task := &Task{ID: "t1", Type: TaskReserveResource, Status: from}
			p := &Plan{ID: "p1", TenantID: "tenant-a", OrderID: "o1", Tasks: []*Task{task}}
			err := p.setTaskStatus(task, to, testCause("MOVE"))
			key := string(from) + ">" + string(to)
			if want[key] {
				if err != nil || task.Status != to || !task.Changed() || len(p.PendingAudit()) != 1 {
					t.Errorf("%s: err=%v status=%s changed=%v", key, err, task.Status, task.Changed())
				}
				continue
			}
			if ErrorCode(err) != EINVALIDTRANSITION || task.Status != from || task.Changed() || p.HasPending() {
				t.Errorf("%s: want invalid_transition and no change, got err=%v status=%s", key, err, task.Status)
			}
		}
	}
}

func TestOrderEndStates(t *testing.T) {
	end := map[OrderStatus]bool{
		OrderCompleted: true, OrderPartiallyCompleted: true, OrderCancelled: true,
		OrderFailedWithFallout: true, OrderCompensated: true, OrderManualClosed: true,
	}
	for _, s := range OrderStatuses {
		if s.IsEndState() != end[s] {
			t.Errorf("%s.IsEndState() = %v", s, s.IsEndState())
		}
		// Only FAILED_WITH_FALLOUT among the end states stays open to operators.
		wantClosed := end[s] && s != OrderFailedWithFallout
		if s.IsClosed() != wantClosed {
			t.Errorf("%s.IsClosed() = %v, want %v", s, s.IsClosed(), wantClosed)
		}
	}
}

func TestOrderTransitionEvents(t *testing.T) {
	cases := []struct {
		from, to OrderStatus
		event    string
	}{
		{OrderDecomposed, OrderFulfillmentReady, EventOrderFulfillmentRequested},
		{OrderFulfillmentReady, OrderFulfilling, EventFulfillmentPlanExecutionStarted},
		{OrderSuspended, OrderFulfilling, EventOrderResumed},
		{OrderFulfilling, OrderSuspended, EventOrderSuspended},
		{OrderFulfilling, OrderCompleted, EventOrderFulfillmentCompleted},
		{OrderFulfilling, OrderPartiallyCompleted, EventOrderFulfillmentCompleted},
		{OrderFulfilling, OrderFailedWithFallout, EventOrderFulfillmentFailed},
		{OrderFulfilling, OrderCancellationRequested, EventOrderCancellationRequested},
		{OrderCancellationRequested, OrderCancelled, EventOrderCancelled},
		{OrderFulfilling, OrderManualClosed, EventOrderClosedManually},
		{OrderCaptured, OrderValidated, ""},
		{OrderFulfilling, OrderCompensating, ""},
	}
	for _, c := range cases {
		o := &Order{ID: "o1", TenantID: "tenant-a", Status: c.from, FulfillmentPlanID: "p1"}
		if err := o.Transition(c.to, testCause("X")); err != nil {
			t.Fatalf("%s>%s: %v", c.from, c.to, err)
		}
		evs := o.PendingEvents()
		if c.event == "" {
			if len(evs) != 0 {
				t.Errorf("%s>%s: unexpected events %v", c.from, c.to, eventTypes(evs))
			}
			continue
		}
		if len(evs) != 1 || evs[0].EventType != c.event {
			t.Fatalf("%s>%s: events %v, want [%s]", c.from, c.to, eventTypes(evs), c.event)
		}
		e := evs[0]
		if e.TenantID != "tenant-a" || e.AggregateType != AggregateOrder || e.AggregateID != "o1" ||
			e.EventVersion != 1 || e.CorrelationID != "corr-1" || e.Payload["status"] != string(c.to) {
			t.Errorf("%s>%s: envelope %+v", c.from, c.to, e)
		}
	}
}
