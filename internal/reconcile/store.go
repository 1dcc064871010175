package reconcile

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/orderfleet/orderfleet/internal/domain"
)

// advisoryLock serialises the write phase of concurrent passes (two replicas, or the binary and
// fleetctl), so one pass cannot resolve a finding another is about to refresh.
const advisoryLock = 7_201_604_113

// record upserts the findings of a pass and resolves the open findings of the checked kinds that
// the pass did not see again. It returns how many findings were opened and how many resolved.
func (r *Reconciler) record(ctx context.Context, found []Finding, checked []domain.DivergenceKind) (opened, resolved map[domain.DivergenceKind]int, err error) {
	opened, resolved = map[domain.DivergenceKind]int{}, map[domain.DivergenceKind]int{}
	err = pgx.BeginFunc(ctx, r.db, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "select pg_advisory_xact_lock($1)", int64(advisoryLock)); err != nil {
			return err
		}
		for _, f := range found {
			var inserted bool
			// now() is the transaction's start, so every row this pass touches carries the same last_seen
			err := tx.QueryRow(ctx, `
				insert into reconciliation_finding (id, tenant_id, kind, subject, order_id, fulfillment_plan_id,
				    process_instance_key, task_id, detail, first_seen, last_seen)
				values ($1, $2, $3, $4, nullif($5, '')::uuid, nullif($6, '')::uuid, nullif($7, ''), nullif($8, '')::uuid, $9, now(), now())
				on conflict (tenant_id, kind, subject) where resolved_at is null do update
				set last_seen = now(), seen_count = reconciliation_finding.seen_count + 1, detail = excluded.detail,
				    order_id = excluded.order_id, fulfillment_plan_id = excluded.fulfillment_plan_id,
				    process_instance_key = excluded.process_instance_key, task_id = excluded.task_id
				returning xmax = 0`,
				domain.NewUUID(), f.TenantID, f.Kind, f.Subject, f.OrderID, f.FulfillmentPlanID,
				f.ProcessInstanceKey, f.TaskID, f.Detail).Scan(&inserted)
			if err != nil {
				return fmt.Errorf("record %s finding for %s: %w", f.Kind, f.Subject, err)
			}
			if inserted {
				opened[f.Kind]++
			}
		}
		rows, err := tx.Query(ctx, `
			update reconciliation_finding set resolved_at = now()
			where resolved_at is null and last_seen < now() and kind = any($1) and ($2 = '' or tenant_id = $2)
			returning kind`, kindStrings(checked), r.cfg.TenantID)
		if err != nil {
			return fmt.Errorf("resolve findings no longer seen: %w", err)
		}
		var kind string
		_, err = pgx.ForEachRow(rows, []any{&kind}, func() error {
			resolved[domain.DivergenceKind(kind)]++
			return nil
		})
		return err
	})
	return opened, resolved, err
}

const findingColumns = `id::text, tenant_id, kind, subject, coalesce(order_id::text, ''), coalesce(fulfillment_plan_id::text, ''),
	coalesce(process_instance_key, ''), coalesce(task_id::text, ''), detail, first_seen, last_seen, seen_count, resolved_at`

func scanFinding(row pgx.CollectableRow) (Finding, error) {
	var f Finding
	err := row.Scan(&f.ID, &f.TenantID, &f.Kind, &f.Subject, &f.OrderID, &f.FulfillmentPlanID, &f.ProcessInstanceKey,
		&f.TaskID, &f.Detail, &f.FirstSeen, &f.LastSeen, &f.SeenCount, &f.ResolvedAt)
	return f, err
}

// OpenFindings lists the unresolved findings in the reconciler's tenant scope, oldest first.
func (r *Reconciler) OpenFindings(ctx context.Context) ([]Finding, error) {
	rows, err := r.db.Query(ctx, `select `+findingColumns+` from reconciliation_finding
		where resolved_at is null and ($1 = '' or tenant_id = $1)
		order by first_seen, tenant_id, kind, subject`, r.cfg.TenantID)
	if err != nil {
		return nil, fmt.Errorf("list open findings: %w", err)
	}
	return pgx.CollectRows(rows, scanFinding)
}

// Findings lists every finding, open or resolved, of a subject, newest first: a subject's history.
func (r *Reconciler) Findings(ctx context.Context, tenantID string, kind domain.DivergenceKind, subject string) ([]Finding, error) {
	rows, err := r.db.Query(ctx, `select `+findingColumns+` from reconciliation_finding
		where tenant_id = $1 and kind = $2 and subject = $3 order by first_seen desc`, tenantID, kind, subject)
	if err != nil {
		return nil, fmt.Errorf("list findings of %s: %w", subject, err)
	}
	return pgx.CollectRows(rows, scanFinding)
}

// openCounts counts the open findings per kind in scope, for the gauge.
func (r *Reconciler) openCounts(ctx context.Context) (map[domain.DivergenceKind]int, error) {
	rows, err := r.db.Query(ctx, `select kind, count(*) from reconciliation_finding
		where resolved_at is null and ($1 = '' or tenant_id = $1) group by kind`, r.cfg.TenantID)
	if err != nil {
		return nil, fmt.Errorf("count open findings: %w", err)
	}
	counts := map[domain.DivergenceKind]int{}
	var kind string
	var n int
	_, err = pgx.ForEachRow(rows, []any{&kind, &n}, func() error {
		counts[domain.DivergenceKind(kind)] = n
		return nil
	})
	return counts, err
}

func kindStrings(kinds []domain.DivergenceKind) []string {
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = string(k)
	}
	return out
}
