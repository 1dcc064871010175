package postgres_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/orderfleet/orderfleet/internal/postgres/pgtest"
	"github.com/orderfleet/orderfleet/migrations"
)

// Evidence stored before 00016 is linked to its result event from the outbox rows still kept;
// evidence whose row is gone, or that no event names, stays unlinked.
func TestCallbackResultEventMigrationLinksKeptEvents(t *testing.T) {
	ctx := context.Background()
	pool, url := pgtest.NewDatabase(t)
	db, err := sql.Open("pgx", url)
	must(t, err)
	defer db.Close()
	provider, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS, goose.WithDisableGlobalRegistry(true))
	must(t, err)
	_, err = provider.DownTo(ctx, 15)
	must(t, err)

	_, err = pool.Exec(ctx, `
		insert into callback_evidence (id, tenant_id, external_system, callback_id, signature_valid, payload, payload_hash)
		values ('00000000-0000-0000-0000-00000000000a', 'tenant-a', 'shipping-adapter', 'pe-1', true, '{}', 'h'),
		       ('00000000-0000-0000-0000-00000000000b', 'tenant-a', 'shipping-adapter', 'pe-2', true, '{}', 'h');
		insert into outbox_event (id, tenant_id, event_type, event_version, aggregate_type, aggregate_id, message_key, envelope, occurred_at)
		values ('00000000-0000-0000-0000-0000000000e1', 'tenant-a', 'ExternalTaskResultReceived', 1, 'FulfillmentTask', 't', 'k',
		        '{"payload": {"callbackEvidenceId": "00000000-0000-0000-0000-00000000000a"}}', now()),
		       ('00000000-0000-0000-0000-0000000000e2', 'tenant-b', 'ExternalTaskResultReceived', 1, 'FulfillmentTask', 't', 'k',
		        '{"payload": {"callbackEvidenceId": "00000000-0000-0000-0000-00000000000b"}}', now())`)
	must(t, err)

	_, err = provider.UpTo(ctx, 16)
	must(t, err)
	links := map[string]string{}
	rows, err := pool.Query(ctx, `select id::text, coalesce(result_event_id::text, '') from callback_evidence`)
	must(t, err)
	for rows.Next() {
		var id, event string
		must(t, rows.Scan(&id, &event))
		links[id] = event
	}
	must(t, rows.Err())
	if links["00000000-0000-0000-0000-00000000000a"] != "00000000-0000-0000-0000-0000000000e1" || links["00000000-0000-0000-0000-00000000000b"] != "" {
		t.Fatalf("links after the migration: %v; want a linked to e1, and b (named only by another tenant's event) unlinked", links)
	}
	_, err = provider.DownTo(ctx, 15)
	must(t, err)
}
