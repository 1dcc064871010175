package postgres_test

import (
	"context"
	"testing"

	"github.com/orderfleet/orderfleet/internal/domain"
)

func TestTaskExecutionPersistsAttemptAuditAndOutbox(t *testing.T) {
	s, pool := newStore(t)
	ctx := context.Background()
	_, p := created(t, s)
	before := counts(t, pool)
	check := keyTask(t, p, "access.check")
	var att domain.Attempt
	must(t, s.UpdatePlan(ctx, tenant, p.ID, func(p *domain.Plan) (err error) {
		att, err = p.StartTask(check.ID, domain.AttemptRequest{RequestHash: "sha256:req"}, cause("RUN"))
		return err
	}))
	must(t, s.UpdatePlan(ctx, tenant, p.ID, func(p *domain.Plan) error {
		_, err := p.CompleteTask(check.ID, domain.TaskResult{ResponseHash: "sha256:resp", ExternalCorrelationID: "svc-1"}, cause("RUN"))
		return err
	}))
	atts, err := s.Attempts(ctx, tenant, check.ID)
	must(t, err)
	if len(atts) != 1 {
		t.Fatalf("attempts %d", len(atts))
	}
	a := atts[0]
	if a.IdempotencyKey != att.IdempotencyKey || a.Status != domain.AttemptCompleted || a.RequestHash != "sha256:req" ||
		a.ResponseHash != "sha256:resp" || a.ExternalCorrelationID != "svc-1" || a.Purpose != "execute-1" || !a.CompletedAt.Equal(t0) {
		t.Fatalf("attempt row %+v", a)
	}
	got, err := s.GetPlan(ctx, tenant, p.ID)
	must(t, err)
	task := keyTask(t, got, "access.check")
	if task.Status != domain.TaskCompleted || task.Version != 2 || got.Version != 2 || got.Status != domain.PlanExecuting ||
		task.ExternalCorrelationID != "svc-1" || task.Attempts != 1 || keyTask(t, got, "access.reserve").Status != domain.TaskReady {
		t.Fatalf("task %s v%d plan v%d %s", task.Status, task.Version, got.Version, got.Status)
	}
	var events []string
	rows, err := pool.Query(ctx, "select event_type from outbox_event order by position")
	must(t, err)
	for rows.Next() {
		var e string
		must(t, rows.Scan(&e))
		events = append(events, e)
	}
	want := []string{"OrderFulfillmentRequested", "FulfillmentTaskStarted", "FulfillmentTaskCompleted"}
	if len(events) != 3 || events[0] != want[0] || events[1] != want[1] || events[2] != want[2] {
		t.Fatalf("outbox %v", events)
	}
	// start: plan CREATED>EXECUTING + task READY>IN_PROGRESS; complete: task done + reserve promoted
	if n := count(t, pool, "audit_entry") - before["audit_entry"]; n != 4 {
		t.Fatalf("audit rows added %d", n)
	}
}

func TestAppendAttemptIsIdempotent(t *testing.T) {
	s, pool := newStore(t)
	ctx := context.Background()
	o, p := created(t, s)
	task := keyTask(t, p, "router.ship")
	a := domain.Attempt{TenantID: tenant, OrderID: o.ID, TaskID: task.ID, AttemptNo: 1, Purpose: "execute-1",
		Status: domain.AttemptSubmitted, IdempotencyKey: domain.IdempotencyKey(tenant, o.ID, task.ID, "execute-1"),
		ExternalSystem: "shipping-adapter", RequestHash: "sha256:1", StartedAt: t0}
	first, created1, err := s.AppendAttempt(ctx, a)
	must(t, err)
	second, created2, err := s.AppendAttempt(ctx, a)
	must(t, err)
	if !created1 || created2 || first.ID != second.ID || second.RequestHash != "sha256:1" {
		t.Fatalf("created %v/%v ids %s/%s", created1, created2, first.ID, second.ID)
	}
	if n := count(t, pool, "fulfillment_task_attempt"); n != 1 {
		t.Fatalf("rows %d", n)
	}
	clash := a
	clash.ID, clash.IdempotencyKey = "", domain.IdempotencyKey(tenant, o.ID, task.ID, "other")
	if _, _, err := s.AppendAttempt(ctx, clash); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("same attempt number, other key: %v", err)
	}
	orphan := a
	orphan.ID, orphan.TaskID, orphan.IdempotencyKey = "", domain.NewUUID(), "k"
	if _, _, err := s.AppendAttempt(ctx, orphan); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("attempt of unknown task (23503): %v", err)
	}
}

func TestClaimExecution(t *testing.T) {
	s, pool := newStore(t)
	ctx := context.Background()
	o, p := created(t, s)
	e1, err := s.ClaimExecution(ctx, tenant, o.ID, p.ID, "2251799813685249", cause("LOAD"))
	must(t, err)
	e2, err := s.ClaimExecution(ctx, tenant, o.ID, p.ID, "2251799813685249", cause("LOAD_RETRY"))
	must(t, err)
	if e1.ID != e2.ID || e1.ProcessInstanceKey != "2251799813685249" || e1.Status != domain.ExecutionStarted {
		t.Fatalf("claims %+v %+v", e1, e2)
	}
	if _, err := s.ClaimExecution(ctx, tenant, o.ID, p.ID, "999", cause("DUP")); domain.ErrorCode(err) != domain.EDUPLICATEINSTANCE {
		t.Fatalf("second instance: %v", err)
	}
	var claims int
	must(t, pool.QueryRow(ctx, "select count(*) from audit_entry where action = 'EXECUTION_CLAIMED' and details->>'processInstanceKey' = '2251799813685249'").Scan(&claims))
	if claims != 1 {
		t.Fatalf("claim audit entries %d, want 1 (the retry adds none)", claims)
	}
}
