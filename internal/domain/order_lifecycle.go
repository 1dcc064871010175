package domain

import "strings"

// Validate checks the order against the catalog and moves it to VALIDATED.
func (o *Order) Validate(c *Catalog, cause Cause) error {
	if o.Status != OrderCaptured {
		return transitionError("order", string(o.Status), string(OrderValidated))
	}
	if err := c.ValidateOrder(o); err != nil {
		return err
	}
	return o.Transition(OrderValidated, cause)
}

// AttachPlan links the decomposed plan and moves the order to DECOMPOSED.
func (o *Order) AttachPlan(p *Plan, cause Cause) error {
	if p.OrderID != o.ID || p.TenantID != o.TenantID {
		return Errorf(EINVALID, "plan %s belongs to another order", p.ID)
	}
	prev := o.FulfillmentPlanID
	o.FulfillmentPlanID = p.ID
	if err := o.Transition(OrderDecomposed, cause); err != nil {
		o.FulfillmentPlanID = prev
		return err
	}
	return nil
}

// StartFulfillment moves a FULFILLMENT_READY order to FULFILLING. It is a
// no-op when already FULFILLING, because the load-plan worker may be retried.
func (o *Order) StartFulfillment(cause Cause) error {
	if o.Status == OrderFulfilling {
		return nil
	}
	if o.Status != OrderFulfillmentReady {
		return transitionError("order", string(o.Status), string(OrderFulfilling))
	}
	return o.Transition(OrderFulfilling, cause)
}

// Finalize completes the order if the completion policy allows it. Tasks
// that never started are cancelled; the order ends PARTIALLY_COMPLETED when
// some optional work did not complete. The returned status is the end state.
func (o *Order) Finalize(p *Plan, cause Cause) (OrderStatus, error) {
	if err := cause.validate(); err != nil {
		return "", err
	}
	if o.Status != OrderFulfilling {
		return "", transitionError("order", string(o.Status), string(OrderCompleted))
	}
	if p.ID != o.FulfillmentPlanID {
		return "", Errorf(EINVALID, "plan %s is not the plan of order %s", p.ID, o.ID)
	}
	verdict := IsOrderCompletionAllowed(o.CompletionPolicy, p)
	if !verdict.Allowed {
		return "", &Error{
			Code:    ECOMPLETIONBLOCKED,
			Message: "order " + o.ID + " cannot complete: " + strings.Join(verdict.Reasons, "; "),
			Refs:    verdict.Reasons,
		}
	}
	if _, err := p.CancelOutstandingTasks(cause); err != nil {
		return "", err
	}
	to := OrderCompleted
	for _, t := range p.Tasks {
		if t.Optional && t.Status != TaskCompleted {
			to = OrderPartiallyCompleted
		}
	}
	if err := p.moveTo(PlanExecuting, cause); err != nil {
		return "", err
	}
	if err := p.Transition(PlanCompleted, cause); err != nil {
		return "", err
	}
	return to, o.Transition(to, cause)
}

// FailWithFallout ends the workflow in FAILED_WITH_FALLOUT; the order stays
// open to repair, cancellation or manual close.
func (o *Order) FailWithFallout(p *Plan, cause Cause) error {
	if err := o.Transition(OrderFailedWithFallout, cause); err != nil {
		return err
	}
	if p != nil && p.Status != PlanFailed {
		return p.Transition(PlanFailed, cause)
	}
	return nil
}

// CloseManually ends the order by an operator's structured decision.
func (o *Order) CloseManually(j Justification, correlationID string, cause Cause) error {
	if err := j.validate(); err != nil {
		return err
	}
	return o.Transition(OrderManualClosed, j.cause(correlationID, cause))
}

// StartCompensation moves the order to COMPENSATING.
func (o *Order) StartCompensation(cause Cause) error {
	return o.Transition(OrderCompensating, cause)
}

// FinishCompensation ends a compensating order: CANCELLED when the undo was
// part of a cancellation, COMPENSATED when it followed a failure.
func (o *Order) FinishCompensation(cp *CompensationPlan, cause Cause) error {
	if cp.Status != CompensationCompleted {
		return Errorf(ECONFLICT, "compensation plan %s is %s, not COMPLETED", cp.ID, cp.Status)
	}
	if o.CancellationCode != "" {
		return o.Transition(OrderCancelled, cause)
	}
	return o.Transition(OrderCompensated, cause)
}
