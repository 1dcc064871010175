package postgres

import (
	"context"

	"github.com/orderfleet/orderfleet/internal/domain"
)

// AddManualDecision schedules a decision record for insertion.
func (t *Tx) AddManualDecision(d domain.ManualDecision) {
	t.decisions = append(t.decisions, d)
}

func (t *Tx) insertDecision(d domain.ManualDecision) error {
	_, err := t.tx.Exec(t.ctx, `
		insert into manual_decision (id, tenant_id, order_id, fulfillment_plan_id, task_id, fallout_case_id, decision,
		    reason_code, reason, evidence_reference, operator_id, approver_id, idempotency_key, decided_at)
		values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		d.ID, d.TenantID, d.OrderID, d.PlanID, d.TaskID, nullString(d.FalloutCaseID), d.Decision, d.ReasonCode, d.Reason,
		nullString(d.EvidenceReference), d.OperatorID, nullString(d.ApproverID), d.IdempotencyKey, d.DecidedAt)
	return mapError("insert manual decision", err)
}

// decisionExists reports whether a decision with this idempotency key was
// already recorded, i.e. the request is a replay.
func (t *Tx) decisionExists(tenantID, key string) (bool, error) {
	var n int
	err := t.tx.QueryRow(t.ctx, `select count(*) from manual_decision where tenant_id = $1 and idempotency_key = $2`,
		tenantID, key).Scan(&n)
	return n > 0, mapError("find manual decision", err)
}

// ApplyManualDecision records an operator's decision and applies it to the
// task in one transaction. Replaying the same Idempotency-Key changes
// nothing and returns the plan's current progress (applied=false).
func (s *Store) ApplyManualDecision(ctx context.Context, d domain.ManualDecision, correlationID string) (progress domain.Progress, applied bool, err error) {
	if d.IdempotencyKey == "" {
		return domain.Progress{}, false, domain.Errorf(domain.EINVALID, "a manual decision needs an idempotency key")
	}
	err = s.Do(ctx, func(tx *Tx) error {
		p, err := tx.Plan(d.TenantID, d.PlanID)
		if err != nil {
			return err
		}
		seen, err := tx.decisionExists(d.TenantID, d.IdempotencyKey)
		if err != nil {
			return err
		}
		if seen {
			progress = p.Progress()
			return nil
		}
		if progress, err = p.ApplyManualDecision(d, correlationID); err != nil {
			return err
		}
		tx.AddManualDecision(d)
		applied = true
		return nil
	})
	return progress, applied, err
}
