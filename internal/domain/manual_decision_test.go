package domain

import "testing"

// Independent list of where each decision may be taken.
var expectedDecisionStates = map[DecisionType][]TaskStatus{
	DecisionComplete:              {TaskInProgress, TaskSubmitted, TaskWaiting},
	DecisionFail:                  {TaskInProgress, TaskSubmitted, TaskWaiting},
	DecisionRetry:                 {TaskFailed, TaskTimedOut},
	DecisionSkipWithApproval:      {TaskPending, TaskReady, TaskFailed, TaskTimedOut},
	DecisionRequestCustomerAction: {TaskWaiting, TaskFailed, TaskTimedOut},
	DecisionEscalate:              {TaskPending, TaskReady, TaskInProgress, TaskSubmitted, TaskWaiting, TaskFailed, TaskTimedOut, TaskCompensationFailed},
}

func TestDecisionAllowedEveryState(t *testing.T) {
	if len(decisionAllowedFrom) != len(DecisionTypes) {
		t.Fatalf("rule table has %d decisions, %d declared", len(decisionAllowedFrom), len(DecisionTypes))
	}
	for _, d := range DecisionTypes {
		want := map[TaskStatus]bool{}
		for _, s := range expectedDecisionStates[d] {
			want[s] = true
		}
		for _, s := range TaskStatuses {
			if DecisionAllowed(d, s) != want[s] {
				t.Errorf("%s on %s: allowed=%v, want %v", d, s, DecisionAllowed(d, s), want[s])
			}
		}
	}
}

func decision(kind DecisionType, p *Plan, taskID string) ManualDecision {
	return ManualDecision{
		ID: "md-1", TenantID: p.TenantID, OrderID: p.OrderID, PlanID: p.ID, TaskID: taskID, Decision: kind,
		Justification: Justification{ReasonCode: "TECHNICIAN_CONFIRMED", Reason: "Technician confirmed installation on site.", EvidenceReference: "doc-123", OperatorID: "user-789"},
		DecidedAt:     t0,
	}
}

func TestManualDecisionValidation(t *testing.T) {
	_, p := preparedPlan(t, assetBook{}, CompletionRequiresBillingActive, bundleAdd(1))
	id := p.Tasks[0].ID
	cases := []struct {
		name   string
		mutate func(*ManualDecision)
	}{
		{"free text reason code", func(d *ManualDecision) { d.ReasonCode = "fixed it, retry pls" }},
		{"no reason", func(d *ManualDecision) { d.Reason = " " }},
		{"no operator", func(d *ManualDecision) { d.OperatorID = "" }},
		{"unknown decision", func(d *ManualDecision) { d.Decision = "RETRY_STEP" }},
		{"complete without evidence", func(d *ManualDecision) { d.Decision = DecisionComplete; d.EvidenceReference = "" }},
		{"skip without approver", func(d *ManualDecision) { d.Decision = DecisionSkipWithApproval }},
		{"no task", func(d *ManualDecision) { d.TaskID = "" }},
	}
	for _, c := range cases {
		d := decision(DecisionEscalate, p, id)
		c.mutate(&d)
		if err := d.Validate(); ErrorCode(err) != EINVALID {
			t.Errorf("%s: err = %v", c.name, err)
		}
	}
	ok := decision(DecisionEscalate, p, id)
	ok.EvidenceReference = ""
	if err := ok.Validate(); err != nil {
		t.Fatalf("escalation without evidence is fine: %v", err)
	}
	other := decision(DecisionEscalate, p, id)
	other.OrderID = "someone-else"
	if _, err := p.ApplyManualDecision(other, "c"); ErrorCode(err) != EINVALID {
		t.Fatalf("foreign decision: %v", err)
	}
}

func TestManualDecisionEffects(t *testing.T) {
	assets := assetBook{"a": {ID: "a", TenantID: "tenant-a", ProductCode: "BROADBAND_BUNDLE", Status: AssetActive, Version: 1}}
	_, p := preparedPlan(t, assets, CompletionRequiresBillingActive, ItemInput{LineNo: 1, ProductCode: "BROADBAND_BUNDLE", Action: ActionMove, TargetAssetID: "a", ExpectedAssetVersion: 1, Location: "x"})
	runTask(t, p, taskByKey(t, p, "move.check").ID)
	runTask(t, p, taskByKey(t, p, "move.appointment").ID)
	review := taskByKey(t, p, "move.review")
	if _, err := p.ApplyManualDecision(decision(DecisionComplete, p, review.ID), "c"); ErrorCode(err) != EINVALIDTRANSITION {
		t.Fatalf("completing a READY manual task: %v", err)
	}
	_, err := p.StartTask(review.ID, AttemptRequest{}, testCause("USER_TASK"))
	must(t, err)
	if err := p.WaitTask(review.ID, testCause("USER_TASK")); err != nil {
		t.Fatal(err)
	}
	p.ClearPending()
	for _, kind := range []DecisionType{DecisionEscalate, DecisionRequestCustomerAction} {
		if _, err := p.ApplyManualDecision(decision(kind, p, review.ID), "c"); err != nil || review.Status != TaskWaiting {
			t.Fatalf("%s: %v, status %s", kind, err, review.Status)
		}
	}
	pr, err := p.ApplyManualDecision(decision(DecisionComplete, p, review.ID), "corr-9")
	if err != nil || review.Status != TaskCompleted {
		t.Fatalf("complete: %v %s", err, review.Status)
	}
	if len(pr.ReadyTaskIDs) != 1 || pr.ReadyTaskIDs[0] != taskByKey(t, p, "asset.move").ID {
		t.Fatalf("next ready %v", pr.ReadyTaskIDs)
	}
	var decisions int
	for _, a := range p.PendingAudit() {
		if a.Action == AuditManualDecision {
			decisions++
			if a.ActorType != ActorUser || a.ActorID != "user-789" || a.ReasonCode != "TECHNICIAN_CONFIRMED" || a.EvidenceRef != "doc-123" {
				t.Fatalf("decision audit %+v", a)
			}
		}
		if a.StateAfter == string(TaskCompleted) && a.ActorID != "user-789" {
			t.Fatalf("completion not attributed to the operator: %+v", a)
		}
	}
	if decisions != 3 {
		t.Fatalf("decision audit entries %d", decisions)
	}
}

func TestManualRetryGrantsAnAttempt(t *testing.T) {
	_, p := preparedPlan(t, assetBook{}, CompletionRequiresBillingActive, bundleAdd(1))
	ship := taskByKey(t, p, "router.ship")
	for i := 0; i < ship.Retry.MaxAttempts; i++ {
		failTask(t, p, ship.ID, "REJECTED")
		if i < ship.Retry.MaxAttempts-1 {
			_, err := p.RetryTask(ship.ID, testCause("RETRY"))
			must(t, err)
		}
	}
	if _, err := p.RetryTask(ship.ID, testCause("AUTO")); ErrorCode(err) != ERETRYEXHAUSTED {
		t.Fatalf("automatic retry past budget: %v", err)
	}
	if _, err := p.ApplyManualDecision(decision(DecisionRetry, p, ship.ID), "c"); err != nil {
		t.Fatal(err)
	}
	a, err := p.StartTask(ship.ID, AttemptRequest{}, testCause("RUN"))
	if err != nil || a.AttemptNo != ship.Retry.MaxAttempts+1 || ship.ManualRetries != 1 {
		t.Fatalf("attempt after manual retry: %+v %v", a, err)
	}
}
