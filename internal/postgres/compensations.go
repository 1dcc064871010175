package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/orderfleet/orderfleet/internal/domain"
)

// AddCompensationPlan schedules a new compensation plan for insertion.
func (t *Tx) AddCompensationPlan(cp *domain.CompensationPlan) {
	t.comps = append(t.comps, &tracked[*domain.CompensationPlan]{agg: cp, isNew: true})
}

// CompensationPlan loads a compensation plan with its steps.
func (t *Tx) CompensationPlan(tenantID, id string) (*domain.CompensationPlan, error) {
	for _, c := range t.comps {
		if c.agg.ID == id && c.agg.TenantID == tenantID {
			return c.agg, nil
		}
	}
	cp := &domain.CompensationPlan{}
	err := t.tx.QueryRow(t.ctx, `
		select id, tenant_id, order_id, fulfillment_plan_id, reason_code, status, in_flight_task_ids::text[],
		       version, created_at, updated_at
		from compensation_plan where tenant_id = $1 and id = $2`, tenantID, id).Scan(
		&cp.ID, &cp.TenantID, &cp.OrderID, &cp.FulfillmentPlanID, &cp.ReasonCode, &cp.Status, &cp.InFlightTaskIDs,
		&cp.Version, &cp.CreatedAt, &cp.UpdatedAt)
	if err != nil {
		return nil, mapError("load compensation plan "+id, err)
	}
	cp.CreatedAt, cp.UpdatedAt = cp.CreatedAt.UTC(), cp.UpdatedAt.UTC()
	rows, err := t.tx.Query(t.ctx, `
		select id, source_task_id, source_task_type, task_type, seq, depends_on::text[], status, reversible,
		       requires_manual_review, attempts, coalesce(last_failure_code, ''), version
		from compensation_task where tenant_id = $1 and compensation_plan_id = $2 order by seq`, tenantID, id)
	if err != nil {
		return nil, mapError("load compensation steps", err)
	}
	cp.Steps, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*domain.CompensationStep, error) {
		s := &domain.CompensationStep{}
		err := r.Scan(&s.ID, &s.SourceTaskID, &s.SourceTaskType, &s.TaskType, &s.Seq, &s.DependsOn, &s.Status,
			&s.Reversible, &s.RequiresManualReview, &s.Attempts, &s.LastFailureCode, &s.Version)
		return s, err
	})
	if err != nil {
		return nil, mapError("load compensation steps", err)
	}
	t.comps = append(t.comps, &tracked[*domain.CompensationPlan]{agg: cp, version: cp.Version})
	return cp, nil
}

func (t *Tx) saveCompensation(tr *tracked[*domain.CompensationPlan]) error {
	cp := tr.agg
	inFlight := nonNil(cp.InFlightTaskIDs)
	if tr.isNew {
		_, err := t.tx.Exec(t.ctx, `
			insert into compensation_plan (id, tenant_id, order_id, fulfillment_plan_id, reason_code, status,
			    in_flight_task_ids, version, created_at, updated_at)
			values ($1, $2, $3, $4, $5, $6, $7::uuid[], $8, $9, $10)`,
			cp.ID, cp.TenantID, cp.OrderID, cp.FulfillmentPlanID, cp.ReasonCode, cp.Status, inFlight, cp.Version,
			cp.CreatedAt, cp.UpdatedAt)
		if err != nil {
			return mapError("insert compensation plan "+cp.ID, err)
		}
		for _, s := range cp.Steps {
			_, err := t.tx.Exec(t.ctx, `
				insert into compensation_task (id, tenant_id, compensation_plan_id, source_task_id, source_task_type,
				    task_type, seq, depends_on, status, reversible, requires_manual_review, attempts, last_failure_code,
				    version, created_at, updated_at)
				values ($1, $2, $3, $4, $5, $6, $7, $8::uuid[], $9, $10, $11, $12, $13, $14, $15, $15)`,
				s.ID, cp.TenantID, cp.ID, s.SourceTaskID, s.SourceTaskType, s.TaskType, s.Seq, nonNil(s.DependsOn),
				s.Status, s.Reversible, s.RequiresManualReview, s.Attempts, nullString(s.LastFailureCode), s.Version, cp.CreatedAt)
			if err != nil {
				return mapError("insert compensation step", err)
			}
		}
		tr.written = true
		return nil
	}
	steps := cp.ChangedSteps()
	if !cp.HasPending() && len(steps) == 0 {
		return nil
	}
	tag, err := t.tx.Exec(t.ctx, `
		update compensation_plan set status = $4, updated_at = $5, version = version + 1
		where tenant_id = $1 and id = $2 and version = $3`, cp.TenantID, cp.ID, tr.version, cp.Status, cp.UpdatedAt)
	if err != nil {
		return mapError("update compensation plan "+cp.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return versionConflict("compensation plan", cp.ID, tr.version)
	}
	for _, s := range steps {
		tag, err := t.tx.Exec(t.ctx, `
			update compensation_task set status = $4, attempts = $5, last_failure_code = $6, updated_at = $7,
			    version = version + 1
			where tenant_id = $1 and id = $2 and version = $3`,
			cp.TenantID, s.ID, s.Version, s.Status, s.Attempts, nullString(s.LastFailureCode), cp.UpdatedAt)
		if err != nil {
			return mapError("update compensation step "+s.ID, err)
		}
		if tag.RowsAffected() == 0 {
			return versionConflict("compensation step", s.ID, s.Version)
		}
	}
	tr.written = true
	return nil
}

func nonNil(ids []string) []string {
	if ids == nil {
		return []string{}
	}
	return ids
}

// GetCompensationPlan reads a compensation plan with its steps.
func (s *Store) GetCompensationPlan(ctx context.Context, tenantID, id string) (*domain.CompensationPlan, error) {
	var cp *domain.CompensationPlan
	err := s.Do(ctx, func(tx *Tx) (err error) {
		cp, err = tx.CompensationPlan(tenantID, id)
		return err
	})
	return cp, err
}

// UpdateCompensation loads a compensation plan and its fulfilment plan and
// stores both after fn, since every step moves a source task too.
func (s *Store) UpdateCompensation(ctx context.Context, tenantID, id string, fn func(*domain.CompensationPlan, *domain.Plan) error) error {
	return s.Do(ctx, func(tx *Tx) error {
		cp, err := tx.CompensationPlan(tenantID, id)
		if err != nil {
			return err
		}
		p, err := tx.Plan(tenantID, cp.FulfillmentPlanID)
		if err != nil {
			return err
		}
		return fn(cp, p)
	})
}
