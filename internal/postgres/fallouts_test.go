package postgres_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/postgres"
)

// failAndOpen fails a task and opens its fallout case in one transaction.
func failAndOpen(t *testing.T, s *postgres.Store, p *domain.Plan, key string) *domain.FalloutCase {
	t.Helper()
	var fc *domain.FalloutCase
	task := keyTask(t, p, key)
	must(t, s.Do(context.Background(), func(tx *postgres.Tx) error {
		p, err := tx.Plan(tenant, p.ID)
		if err != nil {
			return err
		}
		if _, err := p.StartTask(task.ID, domain.AttemptRequest{}, cause("RUN")); err != nil {
			return err
		}
		if _, err := p.FailTask(task.ID, domain.TaskFailure{Code: "REJECTED", Message: "no stock"}, cause("RUN")); err != nil {
			return err
		}
		fc, err = domain.OpenFallout(domain.OpenFalloutInput{
			ID: domain.NewUUID(), TenantID: tenant, OrderID: p.OrderID, OrderItemID: task.OrderItemID,
			FulfillmentPlanID: p.ID, TaskID: task.ID, Category: domain.FalloutExternalSystemRejected,
			Severity: domain.SeverityHigh, Retryable: true, SourceSystem: task.OwnerSystem,
			ExternalCorrelationID: "ship-9", EvidenceHash: "sha256:e", TaskCompensatable: true,
		}, cause("TASK_FAILED"))
		if err != nil {
			return err
		}
		tx.AddFallout(fc)
		return nil
	}))
	return fc
}

func TestFalloutLifecycle(t *testing.T) {
	s, pool := newStore(t)
	ctx := context.Background()
	o, p := created(t, s)
	fc := failAndOpen(t, s, p, "router.ship")
	got, err := s.GetFallout(ctx, tenant, fc.ID)
	must(t, err)
	want := *fc
	want.Changes = domain.Changes{}
	if !reflect.DeepEqual(*got, want) {
		t.Fatalf("round trip\n got %+v\nwant %+v", *got, want)
	}
	list, err := s.ListFallouts(ctx, tenant, o.ID)
	must(t, err)
	open, err := s.ListOpenFallouts(ctx, tenant, 10)
	must(t, err)
	if len(list) != 1 || len(open) != 1 || open[0].ID != fc.ID {
		t.Fatalf("list %d open %d", len(list), len(open))
	}

	// A retried open-fallout worker cannot open a second case for the task.
	dup := *fc
	dup.ID, dup.Changes = domain.NewUUID(), domain.Changes{}
	err = s.CreateFallout(ctx, &dup)
	if domain.ErrorCode(err) != domain.ECONFLICT || postgres.ConstraintOf(err) != "fallout_case_open_task_key" {
		t.Fatalf("duplicate open case: %v", err)
	}

	// Repair: fallout case and plan change together.
	must(t, s.Do(ctx, func(tx *postgres.Tx) error {
		fc, err := tx.Fallout(tenant, fc.ID)
		if err != nil {
			return err
		}
		p, err := tx.Plan(tenant, fc.FulfillmentPlanID)
		if err != nil {
			return err
		}
		_, err = domain.RepairFallout(fc, p, domain.RepairRetry, domain.Justification{
			ReasonCode: "STOCK_REPLENISHED", Reason: "warehouse restocked", OperatorID: "ops-1"}, "corr-2", t0)
		return err
	}))
	got, err = s.GetFallout(ctx, tenant, fc.ID)
	must(t, err)
	plan, err := s.GetPlan(ctx, tenant, p.ID)
	must(t, err)
	if got.Status != domain.FalloutRepaired || got.Resolution != domain.RepairRetry || got.Version != 1 ||
		keyTask(t, plan, "router.ship").Status != domain.TaskReady {
		t.Fatalf("after repair: case %s/%s v%d task %s", got.Status, got.Resolution, got.Version, keyTask(t, plan, "router.ship").Status)
	}
	var repaired int
	must(t, pool.QueryRow(ctx, "select count(*) from outbox_event where event_type = 'FulfillmentFalloutRepaired'").Scan(&repaired))
	if repaired != 1 {
		t.Fatalf("repaired events %d", repaired)
	}
	if open, _ := s.ListOpenFallouts(ctx, tenant, 10); len(open) != 0 {
		t.Fatalf("still open %d", len(open))
	}
	// A case changed behind our back (version moved on) is not overwritten.
	other := failAndOpen(t, s, p, "access.check")
	err = s.Do(ctx, func(tx *postgres.Tx) error {
		fc, err := tx.Fallout(tenant, other.ID)
		if err != nil {
			return err
		}
		if _, err := tx.Raw().Exec(ctx, "update fallout_case set version = version + 1 where id = $1", fc.ID); err != nil {
			return err
		}
		return fc.Escalate(domain.Justification{ReasonCode: "NEEDS_TIER2", Reason: "unclear", OperatorID: "ops"}, "c")
	})
	if domain.ErrorCode(err) != domain.EVERSIONCONFLICT {
		t.Fatalf("stale fallout update: %v", err)
	}
	if got, _ := s.GetFallout(ctx, tenant, other.ID); got.Status != domain.FalloutOpen || got.Version != 0 {
		t.Fatalf("stale update stored: %s v%d", got.Status, got.Version)
	}
}

func TestFalloutForeignKeyIsTyped(t *testing.T) {
	s, _ := newStore(t)
	fc, err := domain.OpenFallout(domain.OpenFalloutInput{
		ID: domain.NewUUID(), TenantID: tenant, OrderID: domain.NewUUID(), FulfillmentPlanID: domain.NewUUID(),
		Category: domain.FalloutInvalidDecompositionData, SourceSystem: "oms",
	}, cause("X"))
	must(t, err)
	err = s.CreateFallout(context.Background(), fc)
	if domain.ErrorCode(err) != domain.EINVALID || postgres.ConstraintOf(err) != "fallout_case_plan_fk" {
		t.Fatalf("dangling plan reference: %v", err)
	}
}

func TestManualDecisionAppliedOnce(t *testing.T) {
	s, pool := newStore(t)
	ctx := context.Background()
	o, p := created(t, s)
	ship := keyTask(t, p, "router.ship")
	must(t, s.UpdatePlan(ctx, tenant, p.ID, func(p *domain.Plan) error {
		_, err := p.StartTask(ship.ID, domain.AttemptRequest{}, cause("RUN"))
		return err
	}))
	d := domain.ManualDecision{
		ID: domain.NewUUID(), TenantID: tenant, OrderID: o.ID, PlanID: p.ID, TaskID: ship.ID,
		Decision: domain.DecisionFail, IdempotencyKey: "manual-ft-1001-user-789-001", DecidedAt: t0,
		Justification: domain.Justification{ReasonCode: "ADDRESS_INVALID", Reason: "courier cannot deliver", OperatorID: "user-789"},
	}
	_, applied, err := s.ApplyManualDecision(ctx, d, "corr-3")
	must(t, err)
	replay := d
	replay.ID = domain.NewUUID()
	_, appliedAgain, err := s.ApplyManualDecision(ctx, replay, "corr-3")
	must(t, err)
	if !applied || appliedAgain || count(t, pool, "manual_decision") != 1 {
		t.Fatalf("applied %v/%v rows %d", applied, appliedAgain, count(t, pool, "manual_decision"))
	}
	got, err := s.GetPlan(ctx, tenant, p.ID)
	must(t, err)
	if task := keyTask(t, got, "router.ship"); task.Status != domain.TaskFailed || task.LastFailureCode != "ADDRESS_INVALID" {
		t.Fatalf("task %s %s", task.Status, task.LastFailureCode)
	}
	var actor string
	must(t, pool.QueryRow(ctx, "select actor_id from audit_entry where action = 'MANUAL_DECISION'").Scan(&actor))
	if actor != "user-789" {
		t.Fatalf("decision audited as %q", actor)
	}
}
