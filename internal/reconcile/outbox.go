package reconcile

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/orderfleet/orderfleet/internal/domain"
)

// checkOutbox finds tenants whose committed events have waited longer than OutboxMaxAge for the
// outbox relay. One finding per tenant, not per row: a stalled relay strands every row at once.
func (r *Reconciler) checkOutbox(ctx context.Context) ([]Finding, error) {
	rows, err := r.db.Query(ctx, `
		select tenant_id, count(*), min(created_at),
		       (array_agg(id::text order by position))[1], (array_agg(event_type order by position))[1]
		from outbox_event
		where position > (select outbox_published_through()) and ($1 = '' or tenant_id = $1)
		  and created_at < now() - $2 * interval '1 millisecond'
		group by tenant_id
		order by tenant_id`,
		r.cfg.TenantID, millis(r.cfg.OutboxMaxAge))
	if err != nil {
		return nil, fmt.Errorf("read unpublished outbox rows: %w", err)
	}
	var found []Finding
	var tenant, oldestID, oldestType string
	var count int64
	var since time.Time
	_, err = pgx.ForEachRow(rows, []any{&tenant, &count, &since, &oldestID, &oldestType}, func() error {
		found = append(found, Finding{
			TenantID: tenant, Kind: domain.DivergenceOutboxUnpublished, Subject: outboxSubject,
			Detail: fmt.Sprintf("%d event(s) unpublished for more than %s; the oldest, %s %s, since %s",
				count, r.cfg.OutboxMaxAge, oldestType, oldestID, since.UTC().Format(time.RFC3339)),
		})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read unpublished outbox rows: %w", err)
	}
	return found, nil
}
