package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/orderfleet/orderfleet/internal/domain"
)

// Tx is one unit of work. It keeps an identity map of the aggregates it
// loaded (loading twice returns the same pointer) and remembers the version
// each was loaded at for the optimistic check on write.
type Tx struct {
	ctx   context.Context
	tx    pgx.Tx
	store *Store

	orders    []*tracked[*domain.Order]
	plans     []*tracked[*domain.Plan]
	fallouts  []*tracked[*domain.FalloutCase]
	comps     []*tracked[*domain.CompensationPlan]
	starts    []domain.WorkflowStartRequest
	decisions []domain.ManualDecision
	audit     []domain.AuditEntry
	events    []domain.Event
}

type tracked[T any] struct {
	agg     T
	version int64 // version when loaded; meaningless for new ones
	isNew   bool
	written bool
}

// Raw exposes the pgx transaction for statements this package does not
// offer (e.g. a relay's own tables) so they commit atomically with it.
func (t *Tx) Raw() pgx.Tx { return t.tx }

// Context is the context the transaction runs under, for statements issued through Raw.
func (t *Tx) Context() context.Context { return t.ctx }

// Record adds audit entries and events not owned by a loaded aggregate.
func (t *Tx) Record(audit []domain.AuditEntry, events []domain.Event) {
	t.audit = append(t.audit, audit...)
	t.events = append(t.events, events...)
}

// flush writes everything in dependency order: parents before children,
// state before the audit and outbox rows that describe it.
func (t *Tx) flush() error {
	for _, o := range t.orders {
		if err := t.saveOrder(o); err != nil {
			return err
		}
	}
	for _, p := range t.plans {
		if err := t.savePlan(p); err != nil {
			return err
		}
	}
	for _, r := range t.starts {
		if err := t.insertStartRequest(r); err != nil {
			return err
		}
	}
	for _, f := range t.fallouts {
		if err := t.saveFallout(f); err != nil {
			return err
		}
	}
	for _, d := range t.decisions {
		if err := t.insertDecision(d); err != nil {
			return err
		}
	}
	for _, c := range t.comps {
		if err := t.saveCompensation(c); err != nil {
			return err
		}
	}
	return t.flushJournal()
}

// pendingJournal gathers audit entries and events in a stable order.
func (t *Tx) pendingJournal() ([]domain.AuditEntry, []domain.Event) {
	var audit []domain.AuditEntry
	var events []domain.Event
	add := func(c *domain.Changes) {
		audit = append(audit, c.PendingAudit()...)
		events = append(events, c.PendingEvents()...)
	}
	for _, o := range t.orders {
		add(&o.agg.Changes)
	}
	for _, p := range t.plans {
		add(&p.agg.Changes)
	}
	for _, f := range t.fallouts {
		add(&f.agg.Changes)
	}
	for _, c := range t.comps {
		add(&c.agg.Changes)
	}
	return append(audit, t.audit...), append(events, t.events...)
}

// afterCommit advances versions and clears what was persisted.
func (t *Tx) afterCommit() {
	for _, o := range t.orders {
		if o.written && !o.isNew {
			o.agg.Version = o.version + 1
		}
		o.agg.ClearPending()
	}
	for _, p := range t.plans {
		if p.written && !p.isNew {
			p.agg.Version = p.version + 1
			for _, task := range p.agg.ChangedTasks() {
				task.Version++
			}
		}
		p.agg.ClearPending()
	}
	for _, f := range t.fallouts {
		if f.written && !f.isNew {
			f.agg.Version = f.version + 1
		}
		f.agg.ClearPending()
	}
	for _, c := range t.comps {
		if c.written && !c.isNew {
			c.agg.Version = c.version + 1
			for _, s := range c.agg.ChangedSteps() {
				s.Version++
			}
		}
		c.agg.ClearPending()
	}
}
