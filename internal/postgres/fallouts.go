package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/orderfleet/orderfleet/internal/domain"
)

// AddFallout schedules a newly opened fallout case for insertion.
func (t *Tx) AddFallout(fc *domain.FalloutCase) {
	t.fallouts = append(t.fallouts, &tracked[*domain.FalloutCase]{agg: fc, isNew: true})
}

// Fallout loads a fallout case.
func (t *Tx) Fallout(tenantID, id string) (*domain.FalloutCase, error) {
	for _, f := range t.fallouts {
		if f.agg.ID == id && f.agg.TenantID == tenantID {
			return f.agg, nil
		}
	}
	rows, err := t.tx.Query(t.ctx, `select `+falloutColumns+` from fallout_case where tenant_id = $1 and id = $2`, tenantID, id)
	if err != nil {
		return nil, mapError("load fallout case", err)
	}
	fc, err := pgx.CollectExactlyOneRow(rows, scanFallout)
	if err != nil {
		return nil, mapError("load fallout case "+id, err)
	}
	t.fallouts = append(t.fallouts, &tracked[*domain.FalloutCase]{agg: fc, version: fc.Version})
	return fc, nil
}

const falloutColumns = `id, tenant_id, order_id, order_item_id::text, fulfillment_plan_id, task_id::text, category, severity,
	customer_impact, retryable, requires_manual_repair, suggested_repair_actions, source_system, external_correlation_id,
	evidence_hash, description, status, resolution, resolved_by, resolved_at, version, created_at`

func scanFallout(r pgx.CollectableRow) (*domain.FalloutCase, error) {
	fc := &domain.FalloutCase{}
	var item, task, corr, evidence, desc, resolution, resolvedBy *string
	var resolvedAt *time.Time
	var actions []string
	err := r.Scan(&fc.ID, &fc.TenantID, &fc.OrderID, &item, &fc.FulfillmentPlanID, &task, &fc.Category, &fc.Severity,
		&fc.CustomerImpact, &fc.Retryable, &fc.RequiresManualRepair, &actions, &fc.SourceSystem, &corr,
		&evidence, &desc, &fc.Status, &resolution, &resolvedBy, &resolvedAt, &fc.Version, &fc.CreatedAt)
	if err != nil {
		return nil, err
	}
	fc.OrderItemID, fc.TaskID, fc.ExternalCorrelationID, fc.EvidenceHash = str(item), str(task), str(corr), str(evidence)
	fc.Description, fc.Resolution, fc.ResolvedBy = str(desc), domain.RepairAction(str(resolution)), str(resolvedBy)
	fc.ResolvedAt, fc.CreatedAt = tm(resolvedAt), fc.CreatedAt.UTC()
	for _, a := range actions {
		fc.SuggestedRepairActions = append(fc.SuggestedRepairActions, domain.RepairAction(a))
	}
	return fc, nil
}

func (t *Tx) saveFallout(tr *tracked[*domain.FalloutCase]) error {
	fc := tr.agg
	actions := make([]string, len(fc.SuggestedRepairActions))
	for i, a := range fc.SuggestedRepairActions {
		actions[i] = string(a)
	}
	now := fc.CreatedAt
	if !fc.ResolvedAt.IsZero() {
		now = fc.ResolvedAt
	}
	if tr.isNew {
		_, err := t.tx.Exec(t.ctx, `
			insert into fallout_case (id, tenant_id, order_id, order_item_id, fulfillment_plan_id, task_id, category, severity,
			    customer_impact, retryable, requires_manual_repair, suggested_repair_actions, source_system,
			    external_correlation_id, evidence_hash, description, status, resolution, resolved_by, resolved_at,
			    version, created_at, updated_at)
			values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $22)`,
			fc.ID, fc.TenantID, fc.OrderID, nullString(fc.OrderItemID), fc.FulfillmentPlanID, nullString(fc.TaskID),
			fc.Category, fc.Severity, fc.CustomerImpact, fc.Retryable, fc.RequiresManualRepair, actions, fc.SourceSystem,
			nullString(fc.ExternalCorrelationID), nullString(fc.EvidenceHash), nullString(fc.Description), fc.Status,
			nullString(string(fc.Resolution)), nullString(fc.ResolvedBy), nullTime(fc.ResolvedAt), fc.Version, fc.CreatedAt)
		if err != nil {
			return mapError("insert fallout case "+fc.ID, err)
		}
		tr.written = true
		return nil
	}
	if !fc.HasPending() {
		return nil
	}
	tag, err := t.tx.Exec(t.ctx, `
		update fallout_case set status = $4, resolution = $5, resolved_by = $6, resolved_at = $7, updated_at = $8,
		    version = version + 1
		where tenant_id = $1 and id = $2 and version = $3`,
		fc.TenantID, fc.ID, tr.version, fc.Status, nullString(string(fc.Resolution)), nullString(fc.ResolvedBy),
		nullTime(fc.ResolvedAt), now)
	if err != nil {
		return mapError("update fallout case "+fc.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return versionConflict("fallout case", fc.ID, tr.version)
	}
	tr.written = true
	return nil
}

// CreateFallout stores a newly opened case with its audit entry and
// FulfillmentFalloutOpened event. A second open case for the same task is a
// conflict, which makes a retried open-fallout worker harmless.
func (s *Store) CreateFallout(ctx context.Context, fc *domain.FalloutCase) error {
	return s.Do(ctx, func(tx *Tx) error {
		tx.AddFallout(fc)
		return nil
	})
}

// GetFallout reads one fallout case.
func (s *Store) GetFallout(ctx context.Context, tenantID, id string) (*domain.FalloutCase, error) {
	var fc *domain.FalloutCase
	err := s.Do(ctx, func(tx *Tx) (err error) {
		fc, err = tx.Fallout(tenantID, id)
		return err
	})
	return fc, err
}

// UpdateFallout loads a case, lets fn change it and stores it.
func (s *Store) UpdateFallout(ctx context.Context, tenantID, id string, fn func(*domain.FalloutCase) error) error {
	return s.Do(ctx, func(tx *Tx) error {
		fc, err := tx.Fallout(tenantID, id)
		if err != nil {
			return err
		}
		return fn(fc)
	})
}

// ListFallouts returns an order's fallout cases, oldest first.
func (s *Store) ListFallouts(ctx context.Context, tenantID, orderID string) ([]*domain.FalloutCase, error) {
	rows, err := s.pool.Query(ctx, `select `+falloutColumns+` from fallout_case
		where tenant_id = $1 and order_id = $2 order by created_at, id`, tenantID, orderID)
	if err != nil {
		return nil, mapError("list fallout cases", err)
	}
	out, err := pgx.CollectRows(rows, scanFallout)
	return out, mapError("list fallout cases", err)
}

// ListOpenFallouts returns a tenant's open or escalated cases, oldest first.
func (s *Store) ListOpenFallouts(ctx context.Context, tenantID string, limit int) ([]*domain.FalloutCase, error) {
	rows, err := s.pool.Query(ctx, `select `+falloutColumns+` from fallout_case
		where tenant_id = $1 and status in ('OPEN', 'ESCALATED') order by created_at, id limit $2`, tenantID, limit)
	if err != nil {
		return nil, mapError("list open fallout cases", err)
	}
	out, err := pgx.CollectRows(rows, scanFallout)
	return out, mapError("list open fallout cases", err)
}
