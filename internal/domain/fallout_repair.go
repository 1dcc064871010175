package domain

import "time"

// RepairFallout resolves an open (or escalated) case with one repair action
// and applies it to the plan in the same unit of work, so a repair is always
// a domain command with audit, never a hand edit (seed 001 §17, §28).
//
// COMPENSATE only marks the case; the caller then builds the compensation
// plan. MANUAL_CLOSE cancels outstanding tasks and closes the plan; the
// caller closes the order.
func RepairFallout(fc *FalloutCase, plan *Plan, action RepairAction, j Justification, correlationID string, at time.Time) (Progress, error) {
	if fc.Status != FalloutOpen && fc.Status != FalloutEscalated {
		return Progress{}, Errorf(EINVALIDTRANSITION, "fallout case %s is %s and cannot be repaired", fc.ID, fc.Status)
	}
	if plan.ID != fc.FulfillmentPlanID || plan.TenantID != fc.TenantID {
		return Progress{}, Errorf(EINVALID, "fallout case %s does not belong to plan %s", fc.ID, plan.ID)
	}
	if action == RepairSkipWithApproval {
		if err := j.validateApproval(); err != nil {
			return Progress{}, err
		}
	} else if err := j.validate(); err != nil {
		return Progress{}, err
	}
	cause := j.cause(correlationID, Cause{At: at})
	needsTask := action == RepairRetry || action == RepairSkipWithApproval
	if needsTask && fc.TaskID == "" {
		return Progress{}, Errorf(EINVALID, "%s needs a fallout case tied to a task", action)
	}
	var err error
	next := FalloutRepaired
	switch action {
	case RepairRetry:
		t, terr := plan.Task(fc.TaskID)
		if terr != nil {
			return Progress{}, terr
		}
		if t.Attempts >= t.attemptBudget() {
			t.ManualRetries++ // the repair is the operator's grant of another attempt
			t.changed = true
		}
		_, err = plan.RetryTask(fc.TaskID, cause)
	case RepairSkipWithApproval:
		_, err = plan.SkipTask(fc.TaskID, j, cause)
	case RepairCompensate:
	case RepairManualClose:
		next = FalloutClosed
		if _, err = plan.CancelOutstandingTasks(cause); err == nil {
			err = plan.moveTo(PlanClosed, cause)
		}
	default:
		return Progress{}, Errorf(EINVALID, "unknown repair action %q", action)
	}
	if err != nil {
		return Progress{}, err
	}
	fc.Resolution, fc.ResolvedBy, fc.ResolvedAt = action, j.OperatorID, cause.at()
	ev := newEvent(EventFulfillmentFalloutRepaired, fc.TenantID, AggregateFalloutCase, fc.ID, cause, nil)
	if err := fc.moveTo(next, cause); err != nil {
		return Progress{}, err
	}
	ev.Payload = fc.payload()
	fc.events = append(fc.events, ev)
	return plan.Progress(), nil
}
