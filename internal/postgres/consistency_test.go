package postgres_test

import (
	"context"
	"errors"
	"testing"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/postgres"
)

func asDomain(err error, target **domain.Error) bool { return errors.As(err, target) }

// A constraint violation on the outbox insert, after the order, plan,
// tasks, start request and audit rows were written, rolls all of it back.
func TestOutboxFailureLeavesNothingBehind(t *testing.T) {
	s, pool := newStore(t)
	ctx := context.Background()
	_, existing := created(t, s)
	before := counts(t, pool)
	var takenEventID string
	must(t, pool.QueryRow(ctx, "select id::text from outbox_event limit 1").Scan(&takenEventID))

	o, p, req := prepare(t, s, bundle(1))
	err := s.Do(ctx, func(tx *postgres.Tx) error {
		tx.AddOrder(o)
		tx.AddPlan(p)
		tx.AddWorkflowStartRequest(req)
		tx.Record(nil, []domain.Event{{EventID: takenEventID, EventType: "Collision", EventVersion: 1, TenantID: tenant,
			AggregateType: "Test", AggregateID: existing.ID, OccurredAt: t0}})
		return nil
	})
	if domain.ErrorCode(err) != domain.ECONFLICT || postgres.ConstraintOf(err) != "outbox_event_pkey" {
		t.Fatalf("err = %v", err)
	}
	assertCounts(t, pool, before)
	if !o.HasPending() || !p.HasPending() {
		t.Fatal("pending changes were cleared although nothing was stored")
	}
}

// A callback that mutates and then fails stores nothing.
func TestCallbackErrorRollsBack(t *testing.T) {
	s, pool := newStore(t)
	ctx := context.Background()
	_, p := created(t, s)
	before := counts(t, pool)
	boom := errors.New("adapter said no")
	check := keyTask(t, p, "access.check")
	err := s.UpdatePlan(ctx, tenant, p.ID, func(p *domain.Plan) error {
		if _, err := p.StartTask(check.ID, domain.AttemptRequest{}, cause("RUN")); err != nil {
			return err
		}
		if _, err := p.CompleteTask(check.ID, domain.TaskResult{}, cause("RUN")); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	assertCounts(t, pool, before)
	got, err := s.GetPlan(ctx, tenant, p.ID)
	must(t, err)
	if keyTask(t, got, "access.check").Status != domain.TaskReady || got.Version != 0 || got.Status != domain.PlanCreated {
		t.Fatal("state changed although the callback failed")
	}
}

// An event that cannot be encoded fails the whole unit after state rows
// were written; nothing remains.
func TestUnencodableEventRollsBack(t *testing.T) {
	s, pool := newStore(t)
	ctx := context.Background()
	o, _ := created(t, s)
	before := counts(t, pool)
	err := s.UpdateOrder(ctx, tenant, o.ID, func(o *domain.Order) error {
		if err := o.StartFulfillment(cause("LOAD")); err != nil {
			return err
		}
		return nil
	})
	must(t, err)
	before["audit_entry"]++
	before["outbox_event"]++
	err = s.Do(ctx, func(tx *postgres.Tx) error {
		o, err := tx.Order(tenant, o.ID)
		if err != nil {
			return err
		}
		if err := o.Suspend(domain.SuspendCustomerHold, cause("HOLD")); err != nil {
			return err
		}
		tx.Record(nil, []domain.Event{{EventType: "Bad", TenantID: tenant, AggregateType: "Order", AggregateID: o.ID,
			Payload: map[string]any{"oops": make(chan int)}}})
		return nil
	})
	if domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("err = %v", err)
	}
	assertCounts(t, pool, before)
	got, err := s.GetOrder(ctx, tenant, o.ID)
	must(t, err)
	if got.Status != domain.OrderFulfilling || got.Version != 1 {
		t.Fatalf("order %s v%d", got.Status, got.Version)
	}
}
