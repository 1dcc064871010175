package domain

// CancellationBehavior is what a cancel request does in the current state
// (seed 000 §18.1). Cancellation is not "stop the process": completed
// effects may have to be undone first.
type CancellationBehavior string

const (
	// CancelDirectly: nothing has executed, the order is CANCELLED at once.
	CancelDirectly CancellationBehavior = "CANCEL_DIRECTLY"
	// CancelThroughWorkflow: the order becomes CANCELLATION_REQUESTED; the
	// workflow cancels pending tasks and compensates completed ones.
	CancelThroughWorkflow CancellationBehavior = "CANCEL_THROUGH_WORKFLOW"
	// CancelAlreadyRequested: a repeated request; nothing changes.
	CancelAlreadyRequested CancellationBehavior = "ALREADY_REQUESTED"
	// CancelNotEligible: use an amendment or termination order instead, or
	// close manually when irreversible effects remain.
	CancelNotEligible CancellationBehavior = "NOT_ELIGIBLE"
)

// CancellationDecision is the answer to "may this order be cancelled?".
type CancellationDecision struct {
	Behavior CancellationBehavior
	Reason   string
}

// EvaluateCancellation decides per order state, looking at the plan (nil
// before decomposition) for effects that already happened.
func EvaluateCancellation(o *Order, p *Plan) CancellationDecision {
	effects := planEffects(p)
	switch o.Status {
	case OrderCaptured, OrderValidated, OrderDecomposed:
		return CancellationDecision{CancelDirectly, "nothing has been executed yet"}
	case OrderFulfillmentReady, OrderFulfilling:
		return CancellationDecision{CancelThroughWorkflow, "a workflow may be running: cancel pending tasks, compensate completed reversible ones"}
	case OrderSuspended:
		if effects.any() {
			return CancellationDecision{CancelThroughWorkflow, "suspended with executed tasks: compensate before cancelling"}
		}
		return CancellationDecision{CancelDirectly, "suspended before any task took effect"}
	case OrderFailedWithFallout:
		if effects.irreversible {
			return CancellationDecision{CancelNotEligible, "irreversible side effects remain: close manually instead"}
		}
		if effects.any() {
			return CancellationDecision{CancelThroughWorkflow, "failed with reversible effects: compensate, then cancel"}
		}
		return CancellationDecision{CancelDirectly, "failed before any task took effect"}
	case OrderCancellationRequested, OrderCancelled:
		return CancellationDecision{CancelAlreadyRequested, "cancellation already requested"}
	case OrderCompleted, OrderPartiallyCompleted:
		return CancellationDecision{CancelNotEligible, "completed orders are changed by an amendment or termination order"}
	}
	return CancellationDecision{CancelNotEligible, "order is " + string(o.Status)}
}

type effectSummary struct{ completed, inFlight, irreversible bool }

func (e effectSummary) any() bool { return e.completed || e.inFlight }

// planEffects looks for work that may have changed the outside world. A task
// without a compensation policy is a check or a wait and has no effect.
func planEffects(p *Plan) effectSummary {
	var e effectSummary
	if p == nil {
		return e
	}
	for _, t := range p.Tasks {
		if t.Status.InFlight() {
			e.inFlight = true
		}
		if t.Status == TaskCompleted && t.Compensation.Compensatable {
			e.completed = true
			if !t.Compensation.Reversible {
				e.irreversible = true
			}
		}
	}
	return e
}

// RequestCancellation applies EvaluateCancellation. reasonCode is stored on
// the order so compensation later ends in CANCELLED rather than COMPENSATED.
func (o *Order) RequestCancellation(p *Plan, reasonCode string, cause Cause) (CancellationDecision, error) {
	if reasonCode == "" {
		return CancellationDecision{}, Errorf(EINVALID, "a cancellation needs a reason code")
	}
	d := EvaluateCancellation(o, p)
	if cause.ReasonCode == "" {
		cause.ReasonCode = reasonCode
	}
	switch d.Behavior {
	case CancelAlreadyRequested:
		return d, nil
	case CancelNotEligible:
		return d, Errorf(ENOTELIGIBLE, "order %s cannot be cancelled: %s", o.ID, d.Reason)
	case CancelDirectly:
		o.CancellationCode = reasonCode
		if p != nil {
			if _, err := p.CancelOutstandingTasks(cause); err != nil {
				return d, err
			}
			if err := p.moveTo(PlanCancelled, cause); err != nil {
				return d, err
			}
		}
		return d, o.Transition(OrderCancelled, cause)
	}
	o.CancellationCode = reasonCode
	return d, o.Transition(OrderCancellationRequested, cause)
}
