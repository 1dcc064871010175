package domain

import "testing"

func TestCancellationPolicyPerState(t *testing.T) {
	// effects: "" no plan, "none" plan with nothing done, "reversible",
	// "irreversible" (router shipped), "inflight".
	cases := []struct {
		status  OrderStatus
		effects string
		want    CancellationBehavior
		after   OrderStatus
	}{
		{OrderCaptured, "", CancelDirectly, OrderCancelled},
		{OrderValidated, "", CancelDirectly, OrderCancelled},
		{OrderDecomposed, "none", CancelDirectly, OrderCancelled},
		{OrderFulfillmentReady, "none", CancelThroughWorkflow, OrderCancellationRequested},
		{OrderFulfilling, "reversible", CancelThroughWorkflow, OrderCancellationRequested},
		{OrderSuspended, "none", CancelDirectly, OrderCancelled},
		{OrderSuspended, "reversible", CancelThroughWorkflow, OrderCancellationRequested},
		{OrderSuspended, "inflight", CancelThroughWorkflow, OrderCancellationRequested},
		{OrderFailedWithFallout, "none", CancelDirectly, OrderCancelled},
		{OrderFailedWithFallout, "reversible", CancelThroughWorkflow, OrderCancellationRequested},
		{OrderFailedWithFallout, "irreversible", CancelNotEligible, OrderFailedWithFallout},
		{OrderCancellationRequested, "reversible", CancelAlreadyRequested, OrderCancellationRequested},
		{OrderCancelled, "", CancelAlreadyRequested, OrderCancelled},
		{OrderCompensating, "reversible", CancelNotEligible, OrderCompensating},
		{OrderCompleted, "reversible", CancelNotEligible, OrderCompleted},
		{OrderPartiallyCompleted, "reversible", CancelNotEligible, OrderPartiallyCompleted},
		{OrderCompensated, "", CancelNotEligible, OrderCompensated},
		{OrderManualClosed, "", CancelNotEligible, OrderManualClosed},
	}
	covered := map[OrderStatus]bool{}
	for _, c := range cases {
		covered[c.status] = true
		t.Run(string(c.status)+"/"+c.effects, func(t *testing.T) {
			o, p := preparedPlan(t, assetBook{}, CompletionRequiresBillingActive, bundleAdd(1))
			switch c.effects {
			case "":
				p = nil
			case "reversible":
				runTask(t, p, taskByKey(t, p, "access.check").ID)
				runTask(t, p, taskByKey(t, p, "access.reserve").ID)
			case "irreversible":
				runTask(t, p, taskByKey(t, p, "router.ship").ID)
			case "inflight":
				_, err := p.StartTask(taskByKey(t, p, "router.ship").ID, AttemptRequest{}, testCause("RUN"))
				must(t, err)
			}
			if p != nil && (c.status == OrderFailedWithFallout) {
				p.Status = PlanFailed
			}
			o.Status = c.status
			o.ClearPending()
			d, err := o.RequestCancellation(p, "CUSTOMER_REQUEST", testCause("CANCEL"))
			if d.Behavior != c.want || d.Reason == "" {
				t.Fatalf("behavior %s (%s), want %s", d.Behavior, d.Reason, c.want)
			}
			if c.want == CancelNotEligible && ErrorCode(err) != ENOTELIGIBLE {
				t.Fatalf("not eligible must be a typed error, got %v", err)
			}
			if c.want != CancelNotEligible && err != nil {
				t.Fatal(err)
			}
			if o.Status != c.after {
				t.Fatalf("order %s, want %s", o.Status, c.after)
			}
			if c.want == CancelDirectly && p != nil && (p.Status != PlanCancelled || len(p.ReadyTaskIDs()) != 0) {
				t.Fatalf("direct cancel left plan %s ready %v", p.Status, p.ReadyTaskIDs())
			}
			if c.want == CancelAlreadyRequested && o.HasPending() {
				t.Fatal("a repeated cancel request changed the order")
			}
			if c.want == CancelThroughWorkflow && (o.CancellationCode != "CUSTOMER_REQUEST" || !hasEvent(o.PendingEvents(), EventOrderCancellationRequested)) {
				t.Fatalf("cancellation request not recorded: %q %v", o.CancellationCode, eventTypes(o.PendingEvents()))
			}
		})
	}
	for _, s := range OrderStatuses {
		if !covered[s] {
			t.Errorf("no cancellation case for %s", s)
		}
	}
	o := &Order{ID: "o", Status: OrderCaptured}
	if _, err := o.RequestCancellation(nil, "", testCause("X")); ErrorCode(err) != EINVALID {
		t.Fatalf("cancellation without reason: %v", err)
	}
}

func TestSuspendAndResume(t *testing.T) {
	o, p := preparedPlan(t, assetBook{}, CompletionRequiresBillingActive, bundleAdd(1))
	if err := o.Suspend(SuspendFraudReview, testCause("")); ErrorCode(err) != EINVALIDTRANSITION {
		t.Fatalf("suspend before fulfilling: %v", err)
	}
	must(t, o.StartFulfillment(testCause("LOAD_PLAN")))
	must(t, o.StartFulfillment(testCause("LOAD_PLAN_RETRY"))) // idempotent
	if !o.AllowsTaskExecution() {
		t.Fatal("fulfilling order refuses work")
	}
	if err := o.Suspend("BORED", testCause("")); ErrorCode(err) != EINVALID {
		t.Fatalf("unknown reason: %v", err)
	}
	o.ClearPending()
	must(t, o.Suspend(SuspendFraudReview, Cause{Actor: Actor{Type: ActorUser, ID: "risk-1"}, At: t0}))
	if o.Status != OrderSuspended || o.SuspensionReason != SuspendFraudReview || o.AllowsTaskExecution() {
		t.Fatalf("status %s reason %s", o.Status, o.SuspensionReason)
	}
	if a := o.PendingAudit()[0]; a.ReasonCode != "FRAUD_REVIEW" || a.ActorID != "risk-1" {
		t.Fatalf("audit %+v", a)
	}
	if err := o.Suspend(SuspendCustomerHold, testCause("")); ErrorCode(err) != EINVALIDTRANSITION {
		t.Fatalf("double suspend: %v", err)
	}
	must(t, o.Resume(testCause("RISK_CLEARED")))
	if o.Status != OrderFulfilling || o.SuspensionReason != "" || !hasEvent(o.PendingEvents(), EventOrderResumed) {
		t.Fatalf("after resume %s %q %v", o.Status, o.SuspensionReason, eventTypes(o.PendingEvents()))
	}
	if err := o.Resume(testCause("X")); ErrorCode(err) != EINVALIDTRANSITION {
		t.Fatalf("resume when not suspended: %v", err)
	}
	// SUSPENDED may also end in CANCELLED or FAILED (seed 000 §19).
	must(t, o.Suspend(SuspendPaymentHold, testCause("")))
	must(t, o.FailWithFallout(p, testCause("PAYMENT_DECLINED")))
	if o.Status != OrderFailedWithFallout || p.Status != PlanFailed {
		t.Fatalf("order %s plan %s", o.Status, p.Status)
	}
}
