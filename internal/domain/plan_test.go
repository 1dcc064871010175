package domain

import (
	"reflect"
	"testing"
)

func TestPlanHappyPathAndReadiness(t *testing.T) {
	_, p := preparedPlan(t, assetBook{}, CompletionRequiresBillingActive, bundleAdd(1))
	check := taskByKey(t, p, "access.check")
	att, err := p.StartTask(check.ID, AttemptRequest{RequestHash: "sha256:req"}, testCause("RUN"))
	if err != nil {
		t.Fatal(err)
	}
	wantKey := "tenant-a:" + p.OrderID + ":" + check.ID + ":execute-1"
	if att.AttemptNo != 1 || att.IdempotencyKey != wantKey || att.Purpose != "execute-1" || att.ExternalSystem != "serviceability-adapter" ||
		att.RequestHash != "sha256:req" || att.Status != AttemptInProgress || !att.StartedAt.Equal(t0) {
		t.Fatalf("attempt %+v", att)
	}
	if p.Status != PlanExecuting {
		t.Fatalf("plan status %s", p.Status)
	}
	if cur, err := p.CurrentAttempt(check.ID); err != nil || cur.IdempotencyKey != wantKey {
		t.Fatalf("current attempt %+v %v", cur, err)
	}
	// Reserve cannot start before its dependency completes.
	reserve := taskByKey(t, p, "access.reserve")
	if _, err := p.StartTask(reserve.ID, AttemptRequest{}, testCause("RUN")); ErrorCode(err) != EINVALIDTRANSITION {
		t.Fatalf("reserve started early: %v", err)
	}
	pr, err := p.CompleteTask(check.ID, TaskResult{ResponseHash: "sha256:resp"}, testCause("RUN"))
	if err != nil {
		t.Fatal(err)
	}
	router := taskByKey(t, p, "router.ship")
	if !reflect.DeepEqual(pr.ReadyTaskIDs, []string{reserve.ID, router.ID}) || !pr.MoreReadyTasks || pr.AllRequiredTasksDone || pr.Stuck {
		t.Fatalf("progress %+v", pr)
	}
	if reserve.Status != TaskReady {
		t.Fatalf("reserve %s", reserve.Status)
	}
	atts := p.PendingAttempts()
	if len(atts) != 1 || atts[0].Status != AttemptCompleted || atts[0].RequestHash != "sha256:req" || atts[0].ResponseHash != "sha256:resp" {
		t.Fatalf("pending attempts %+v", atts)
	}
	evs := eventTypes(p.PendingEvents())
	if !reflect.DeepEqual(evs, []string{EventFulfillmentTaskStarted, EventFulfillmentTaskCompleted}) {
		t.Fatalf("events %v", evs)
	}
	runAllReady(t, p)
	pr = p.Progress()
	if !pr.AllRequiredTasksDone || !pr.CompletionAllowed || pr.MoreReadyTasks || pr.Stuck {
		t.Fatalf("final progress %+v", pr)
	}
	if !hasEvent(p.PendingEvents(), EventBillingActivationRequested) || !hasEvent(p.PendingEvents(), EventBillingActivationCompleted) {
		t.Fatal("billing events missing")
	}
	if len(p.ChangedTasks()) != len(p.Tasks) {
		t.Fatalf("changed tasks %d", len(p.ChangedTasks()))
	}
	p.ClearPending()
	if p.HasPending() || len(p.ChangedTasks()) != 0 || len(p.PendingAttempts()) != 0 {
		t.Fatal("ClearPending left state behind")
	}
}

func TestAsyncAndWaitTasks(t *testing.T) {
	_, p := preparedPlan(t, assetBook{}, CompletionRequiresBillingActive, bundleAdd(1))
	runTask(t, p, taskByKey(t, p, "access.check").ID)
	runTask(t, p, taskByKey(t, p, "access.reserve").ID)
	prov := taskByKey(t, p, "access.provision")
	if _, err := p.StartTask(prov.ID, AttemptRequest{}, testCause("SUBMIT")); err != nil {
		t.Fatal(err)
	}
	if err := p.SubmitTask(prov.ID, "", testCause("SUBMIT")); ErrorCode(err) != EINVALID {
		t.Fatalf("submit without correlation: %v", err)
	}
	if err := p.SubmitTask(prov.ID, "prov-123", testCause("SUBMIT")); err != nil {
		t.Fatal(err)
	}
	if prov.Status != TaskSubmitted || prov.ExternalCorrelationID != "prov-123" {
		t.Fatalf("provision %s %s", prov.Status, prov.ExternalCorrelationID)
	}
	if pr := p.Progress(); !reflect.DeepEqual(pr.InFlightTaskIDs, []string{prov.ID}) || pr.Stuck {
		t.Fatalf("progress %+v", pr)
	}
	if _, err := p.CompleteTask(prov.ID, TaskResult{ResponseHash: "h"}, testCause("CALLBACK")); err != nil {
		t.Fatal(err)
	}
	wait := taskByKey(t, p, "access.await")
	if _, err := p.StartTask(wait.ID, AttemptRequest{}, testCause("WAIT")); err != nil {
		t.Fatal(err)
	}
	if err := p.WaitTask(wait.ID, testCause("WAIT")); err != nil || wait.Status != TaskWaiting {
		t.Fatalf("wait: %v %s", err, wait.Status)
	}
	if _, err := p.CompleteTask(wait.ID, TaskResult{}, testCause("X")); err != nil {
		t.Fatal(err)
	}
	if _, err := p.CompleteTask(wait.ID, TaskResult{}, testCause("DUP")); ErrorCode(err) != EINVALIDTRANSITION {
		t.Fatalf("completing twice: %v", err)
	}
}

func TestFailureRetryBudgetAndStuck(t *testing.T) {
	_, p := preparedPlan(t, assetBook{}, CompletionRequiresBillingActive, bundleAdd(1))
	check := taskByKey(t, p, "access.check") // maxAttempts 3
	for attempt := 1; attempt <= 3; attempt++ {
		a, err := p.StartTask(check.ID, AttemptRequest{}, testCause("RUN"))
		if err != nil || a.AttemptNo != attempt || a.Purpose != AttemptPurpose(PurposeExecute, attempt) {
			t.Fatalf("attempt %d: %+v %v", attempt, a, err)
		}
		if _, err := p.FailTask(check.ID, TaskFailure{}, testCause("RUN")); ErrorCode(err) != EINVALID {
			t.Fatalf("failure without code: %v", err)
		}
		pr, err := p.FailTask(check.ID, TaskFailure{Code: "HTTP_503", Message: "busy"}, testCause("RUN"))
		if err != nil {
			t.Fatal(err)
		}
		if attempt < 3 {
			if _, err := p.RetryTask(check.ID, testCause("RETRY")); err != nil {
				t.Fatalf("retry %d: %v", attempt, err)
			}
			continue
		}
		// Router shipment is still runnable, so the plan is not stuck yet.
		if pr.Stuck || check.LastFailureCode != "HTTP_503" {
			t.Fatalf("progress %+v code %s", pr, check.LastFailureCode)
		}
	}
	if _, err := p.RetryTask(check.ID, testCause("RETRY")); ErrorCode(err) != ERETRYEXHAUSTED {
		t.Fatalf("retry past budget: %v", err)
	}
	runTask(t, p, taskByKey(t, p, "router.ship").ID)
	if pr := p.Progress(); !pr.Stuck || pr.AllRequiredTasksDone {
		t.Fatalf("plan with a failed required root must be stuck: %+v", pr)
	}
	atts := p.PendingAttempts()
	if len(atts) != 4 || atts[2].FailureCode != "HTTP_503" || atts[2].Status != AttemptFailed {
		t.Fatalf("attempt records %+v", atts)
	}
}

func TestOptionalFailureDoesNotBlock(t *testing.T) {
	_, p := preparedPlan(t, assetBook{}, CompletionRequiresBillingActive, bundleAdd(1))
	notify := taskByKey(t, p, "customer.notify")
	for p.ReadyTaskIDs() != nil {
		for _, id := range p.ReadyTaskIDs() {
			if id == notify.ID {
				if _, err := p.StartTask(id, AttemptRequest{}, testCause("RUN")); err != nil {
					t.Fatal(err)
				}
				if _, err := p.FailTask(id, TaskFailure{Code: "SMTP_DOWN"}, testCause("RUN")); err != nil {
					t.Fatal(err)
				}
				continue
			}
			runTask(t, p, id)
		}
	}
	if !p.AllRequiredTasksDone() || notify.Status != TaskFailed || p.Progress().Stuck {
		t.Fatalf("required done=%v notify=%s", p.AllRequiredTasksDone(), notify.Status)
	}
}

func TestTimeoutFollowsPolicy(t *testing.T) {
	_, p := preparedPlan(t, assetBook{}, CompletionRequiresBillingActive, bundleAdd(1))
	check := taskByKey(t, p, "access.check")
	if _, err := p.TimeoutTask(check.ID, testCause("TIMER")); ErrorCode(err) != EINVALIDTRANSITION {
		t.Fatalf("timeout of a READY task: %v", err)
	}
	_, err := p.StartTask(check.ID, AttemptRequest{}, testCause("RUN"))
	must(t, err)
	out, err := p.TimeoutTask(check.ID, testCause("TIMER"))
	if err != nil || out.Action != OnTimeoutRetry || !out.CanRetry || out.FalloutCategory != FalloutExternalSystemTimeout {
		t.Fatalf("outcome %+v %v", out, err)
	}
	if check.Status != TaskTimedOut || !hasEvent(p.PendingEvents(), EventFulfillmentTaskTimedOut) {
		t.Fatalf("status %s events %v", check.Status, eventTypes(p.PendingEvents()))
	}
	if due := check.Timeout.DueAt(t0); !due.Equal(t0.Add(check.Timeout.Timeout)) {
		t.Fatalf("due %v", due)
	}
	if rem := check.Timeout.ReminderAt(t0); !rem.Equal(t0.Add(check.Timeout.Timeout - check.Timeout.SoftReminderBefore)) {
		t.Fatalf("reminder %v", rem)
	}
	if rem := (TimeoutPolicy{Timeout: 10}).ReminderAt(t0); !rem.IsZero() {
		t.Fatalf("policy without reminder returned %v", rem)
	}
}

func TestSkipNeedsApprovalAndCancelOutstanding(t *testing.T) {
	_, p := preparedPlan(t, assetBook{}, CompletionRequiresBillingActive, bundleAdd(1))
	router := taskByKey(t, p, "router.ship")
	j := justification("ops-1")
	if _, err := p.SkipTask(router.ID, j, testCause("SKIP")); ErrorCode(err) != EINVALID {
		t.Fatalf("skip without approver: %v", err)
	}
	j.ApproverID = "ops-1"
	if _, err := p.SkipTask(router.ID, j, testCause("SKIP")); ErrorCode(err) != EINVALID {
		t.Fatalf("self-approved skip: %v", err)
	}
	j.ApproverID = "lead-2"
	if _, err := p.SkipTask(router.ID, j, testCause("SKIP")); err != nil || router.Status != TaskSkipped {
		t.Fatalf("skip: %v %s", err, router.Status)
	}
	check := taskByKey(t, p, "access.check")
	_, err := p.StartTask(check.ID, AttemptRequest{}, testCause("RUN"))
	must(t, err)
	cancelled, err := p.CancelOutstandingTasks(testCause("CANCEL"))
	if err != nil || len(cancelled) != 9 || check.Status != TaskInProgress {
		t.Fatalf("cancelled %d, check %s, err %v", len(cancelled), check.Status, err)
	}
}

func TestStartRefusedWhenPlanNotExecuting(t *testing.T) {
	_, p := preparedPlan(t, assetBook{}, CompletionRequiresBillingActive, bundleAdd(1))
	p.Status = PlanCompensating
	if _, err := p.StartTask(p.Tasks[0].ID, AttemptRequest{}, testCause("RUN")); ErrorCode(err) != EINVALIDTRANSITION {
		t.Fatalf("start on compensating plan: %v", err)
	}
	if _, err := p.StartTask("ghost", AttemptRequest{}, testCause("RUN")); ErrorCode(err) != EINVALIDTRANSITION {
		// plan state is checked first, which is the point of this test
		t.Fatalf("unexpected: %v", err)
	}
	p.Status = PlanExecuting
	if _, err := p.StartTask("ghost", AttemptRequest{}, testCause("RUN")); ErrorCode(err) != ENOTFOUND {
		t.Fatalf("unknown task: %v", err)
	}
	if _, err := p.StartTask(p.Tasks[0].ID, AttemptRequest{}, Cause{}); ErrorCode(err) != EINVALID {
		t.Fatalf("start without actor: %v", err)
	}
}
