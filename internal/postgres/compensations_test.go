package postgres_test

import (
	"context"
	"testing"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/postgres"
)

func TestCompensationPersistence(t *testing.T) {
	s, pool := newStore(t)
	ctx := context.Background()
	o, p := created(t, s)
	for _, key := range []string{"access.check", "access.reserve", "ip.reserve"} {
		id := keyTask(t, p, key).ID
		must(t, s.UpdatePlan(ctx, tenant, p.ID, func(p *domain.Plan) error {
			if _, err := p.StartTask(id, domain.AttemptRequest{}, cause("RUN")); err != nil {
				return err
			}
			_, err := p.CompleteTask(id, domain.TaskResult{}, cause("RUN"))
			return err
		}))
	}
	cpID := domain.NewUUID()
	must(t, s.Do(ctx, func(tx *postgres.Tx) error {
		o, err := tx.Order(tenant, o.ID)
		if err != nil {
			return err
		}
		p, err := tx.Plan(tenant, o.FulfillmentPlanID)
		if err != nil {
			return err
		}
		if err := o.StartFulfillment(cause("LOAD")); err != nil {
			return err
		}
		if _, err := o.RequestCancellation(p, "CUSTOMER_REQUEST", cause("CANCEL")); err != nil {
			return err
		}
		if _, err := p.CancelOutstandingTasks(cause("CANCEL")); err != nil {
			return err
		}
		cp, err := domain.BuildCompensationPlan(p, cpID, "CUSTOMER_REQUEST", domain.RandomIDs(), cause("CANCEL"))
		if err != nil {
			return err
		}
		tx.AddCompensationPlan(cp)
		return o.StartCompensation(cause("CANCEL"))
	}))
	cp, err := s.GetCompensationPlan(ctx, tenant, cpID)
	must(t, err)
	if len(cp.Steps) != 2 || cp.Status != domain.CompensationPlanned || len(cp.Steps[1].DependsOn) != 1 || cp.Steps[1].DependsOn[0] != cp.Steps[0].ID {
		t.Fatalf("stored plan %+v", cp)
	}
	for range cp.Steps {
		must(t, s.UpdateCompensation(ctx, tenant, cpID, func(cp *domain.CompensationPlan, p *domain.Plan) error {
			ready := cp.ReadyStepIDs()
			if len(ready) != 1 {
				return domain.Errorf(domain.ECONFLICT, "ready steps %v", ready)
			}
			if _, err := cp.StartStep(p, ready[0], cause("UNDO")); err != nil {
				return err
			}
			return cp.CompleteStep(p, ready[0], cause("UNDO"))
		}))
	}
	must(t, s.UpdateOrderAndPlan(ctx, tenant, o.ID, func(o *domain.Order, _ *domain.Plan) error {
		cp, err := s.GetCompensationPlan(ctx, tenant, cpID)
		if err != nil {
			return err
		}
		return o.FinishCompensation(cp, cause("UNDONE"))
	}))
	cp, err = s.GetCompensationPlan(ctx, tenant, cpID)
	must(t, err)
	got, err := s.GetPlan(ctx, tenant, p.ID)
	must(t, err)
	order, err := s.GetOrder(ctx, tenant, o.ID)
	must(t, err)
	if cp.Status != domain.CompensationCompleted || cp.Version != 2 || got.Status != domain.PlanCompensated ||
		keyTask(t, got, "access.reserve").Status != domain.TaskCompensated || order.Status != domain.OrderCancelled {
		t.Fatalf("cp %s v%d plan %s order %s", cp.Status, cp.Version, got.Status, order.Status)
	}
	var done int
	must(t, pool.QueryRow(ctx, "select count(*) from outbox_event where event_type = 'CompensationTaskCompleted'").Scan(&done))
	if done != 2 {
		t.Fatalf("CompensationTaskCompleted events %d", done)
	}
	// Only one unfinished compensation per plan.
	must(t, s.Do(ctx, func(tx *postgres.Tx) error {
		_, err := tx.Raw().Exec(ctx, "update compensation_plan set status = 'EXECUTING' where id = $1", cpID)
		return err
	}))
	err = s.Do(ctx, func(tx *postgres.Tx) error {
		tx.AddCompensationPlan(&domain.CompensationPlan{ID: domain.NewUUID(), TenantID: tenant, OrderID: o.ID,
			FulfillmentPlanID: p.ID, ReasonCode: "AGAIN", Status: domain.CompensationPlanned, CreatedAt: t0, UpdatedAt: t0})
		return nil
	})
	if domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("second active compensation: %v", err)
	}
}
