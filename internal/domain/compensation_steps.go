package domain

// Step returns the compensation step with the given id.
func (cp *CompensationPlan) Step(id string) (*CompensationStep, error) {
	for _, s := range cp.Steps {
		if s.ID == id {
			return s, nil
		}
	}
	return nil, Errorf(ENOTFOUND, "compensation plan %s has no step %s", cp.ID, id)
}

// ReadyStepIDs lists pending steps whose predecessors have settled.
func (cp *CompensationPlan) ReadyStepIDs() []string {
	var ids []string
	for _, s := range cp.Steps {
		if s.Status != StepPending {
			continue
		}
		ready := true
		for _, d := range s.DependsOn {
			if ds, err := cp.Step(d); err != nil || !ds.Status.settled() {
				ready = false
				break
			}
		}
		if ready {
			ids = append(ids, s.ID)
		}
	}
	return ids
}

// Done reports whether every step has settled.
func (cp *CompensationPlan) Done() bool {
	for _, s := range cp.Steps {
		if !s.Status.settled() {
			return false
		}
	}
	return true
}

// ChangedSteps returns the steps modified since load, for the repository.
func (cp *CompensationPlan) ChangedSteps() []*CompensationStep {
	var out []*CompensationStep
	for _, s := range cp.Steps {
		if s.changed {
			out = append(out, s)
		}
	}
	return out
}

// ClearPending forgets recorded changes once stored.
func (cp *CompensationPlan) ClearPending() {
	cp.Changes.ClearPending()
	for _, s := range cp.Steps {
		s.changed = false
	}
}

func (cp *CompensationPlan) setStep(s *CompensationStep, to StepStatus, cause Cause, events ...Event) error {
	from := s.Status
	if !CanTransitionStep(from, to) {
		return transitionError("compensation step "+s.ID, string(from), string(to))
	}
	s.Status, s.changed = to, true
	cp.UpdatedAt = cause.at()
	a := newAudit(cp.TenantID, cp.OrderID, AggregateCompensationTask, s.ID, AuditCompensationStep, string(from), string(to), cause)
	a.Details = map[string]string{"sourceTaskId": s.SourceTaskID, "taskType": string(s.TaskType)}
	cp.record(a, events...)
	return nil
}

func (cp *CompensationPlan) setStatus(to CompensationStatus, cause Cause, events ...Event) error {
	from := cp.Status
	if from == to {
		cp.events = append(cp.events, events...)
		return nil
	}
	if !CanTransitionCompensation(from, to) {
		return transitionError("compensation plan "+cp.ID, string(from), string(to))
	}
	cp.Status = to
	cp.record(newAudit(cp.TenantID, cp.OrderID, AggregateCompensationPlan, cp.ID, AuditCompensationStatus, string(from), string(to), cause), events...)
	return nil
}

// ReviewStep records an operator's decision on a non-reversible effect:
// approve to run the undo, or decline to keep the effect as it is.
func (cp *CompensationPlan) ReviewStep(p *Plan, stepID string, approve bool, j Justification, correlationID string) error {
	if err := j.validate(); err != nil {
		return err
	}
	s, err := cp.Step(stepID)
	if err != nil {
		return err
	}
	to := StepDeclined
	if approve {
		to = StepPending
	}
	cause := j.cause(correlationID, Cause{}).pinned()
	if err := cp.setStep(s, to, cause); err != nil {
		return err
	}
	return cp.settleIfDone(p, cause)
}

// StartStep begins (or retries) a step and marks its source task
// COMPENSATING. It returns the idempotency key for the undo call.
func (cp *CompensationPlan) StartStep(p *Plan, stepID string, cause Cause) (string, error) {
	cause = cause.pinned()
	if err := cause.validate(); err != nil {
		return "", err
	}
	s, err := cp.Step(stepID)
	if err != nil {
		return "", err
	}
	if s.Status == StepPending && !contains(cp.ReadyStepIDs(), s.ID) {
		return "", Errorf(EINVALIDTRANSITION, "compensation step %s still waits for later effects to be undone", s.ID)
	}
	t, err := p.Task(s.SourceTaskID)
	if err != nil {
		return "", err
	}
	if err := cp.setStep(s, StepInProgress, cause); err != nil {
		return "", err
	}
	if err := p.setTaskStatus(t, TaskCompensating, cause); err != nil {
		return "", err
	}
	s.Attempts++
	if err := cp.setStatus(CompensationExecuting, cause); err != nil {
		return "", err
	}
	purpose := AttemptPurpose(PurposeCompensate, s.Attempts)
	return IdempotencyKey(cp.TenantID, cp.OrderID, s.SourceTaskID, purpose), nil
}

// CompleteStep records a successful undo; the source task is COMPENSATED.
func (cp *CompensationPlan) CompleteStep(p *Plan, stepID string, cause Cause) error {
	cause = cause.pinned()
	s, err := cp.Step(stepID)
	if err != nil {
		return err
	}
	t, err := p.Task(s.SourceTaskID)
	if err != nil {
		return err
	}
	ev := newEvent(EventCompensationTaskCompleted, cp.TenantID, AggregateCompensationTask, s.ID, cause, map[string]any{
		"compensationPlanId": cp.ID, "orderId": cp.OrderID, "fulfillmentPlanId": cp.FulfillmentPlanID,
		"sourceTaskId": s.SourceTaskID, "taskType": string(s.TaskType), "status": string(StepCompleted),
	})
	if err := cp.setStep(s, StepCompleted, cause, ev); err != nil {
		return err
	}
	if err := p.setTaskStatus(t, TaskCompensated, cause); err != nil {
		return err
	}
	return cp.settleIfDone(p, cause)
}

// FailStep records a failed undo: the source task is COMPENSATION_FAILED and
// the plan FAILED, which the workflow turns into a fallout case.
func (cp *CompensationPlan) FailStep(p *Plan, stepID, failureCode string, cause Cause) error {
	if failureCode == "" {
		return Errorf(EINVALID, "a failed compensation needs a failure code")
	}
	cause = cause.pinned()
	s, err := cp.Step(stepID)
	if err != nil {
		return err
	}
	t, err := p.Task(s.SourceTaskID)
	if err != nil {
		return err
	}
	s.LastFailureCode = failureCode
	if err := cp.setStep(s, StepFailed, cause); err != nil {
		return err
	}
	if err := p.setTaskStatus(t, TaskCompensationFailed, cause); err != nil {
		return err
	}
	ev := newEvent(EventCompensationFailed, cp.TenantID, AggregateCompensationPlan, cp.ID, cause, map[string]any{
		"compensationPlanId": cp.ID, "orderId": cp.OrderID, "fulfillmentPlanId": cp.FulfillmentPlanID,
		"stepId": s.ID, "sourceTaskId": s.SourceTaskID, "failureCode": failureCode,
	})
	return cp.setStatus(CompensationFailed, cause, ev)
}

// settleIfDone completes the compensation plan, and the fulfilment plan
// with it, once every step has settled.
func (cp *CompensationPlan) settleIfDone(p *Plan, cause Cause) error {
	if !cp.Done() || cp.Status == CompensationCompleted {
		return nil
	}
	if err := cp.setStatus(CompensationCompleted, cause); err != nil {
		return err
	}
	return p.moveTo(PlanCompensated, cause)
}

// MarkCompletedIfEmpty completes a plan that had nothing to undo.
func (cp *CompensationPlan) MarkCompletedIfEmpty(p *Plan, cause Cause) error {
	cause = cause.pinned()
	if err := cause.validate(); err != nil {
		return err
	}
	return cp.settleIfDone(p, cause)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
