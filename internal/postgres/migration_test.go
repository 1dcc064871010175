package postgres_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pressly/goose/v3"

	"github.com/orderfleet/orderfleet/internal/postgres/pgtest"
	"github.com/orderfleet/orderfleet/migrations"
)

// Migration 00015 turns the rows marked by the old relay into publications and stops the cursor
// below the first row still unmarked; going down puts the marks back.
func TestOutboxPublicationMigrationKeepsWhatWasPublished(t *testing.T) {
	ctx := context.Background()
	pool, provider := databaseAtVersion(t, 14)

	// positions 1-3 marked by one statement, 4 by another, 5 unmarked, 6 marked after it
	_, err := pool.Exec(ctx, `
		insert into outbox_event (id, tenant_id, event_type, event_version, aggregate_type, aggregate_id, message_key,
		    envelope, occurred_at, published_at)
		select gen_random_uuid(), 'tenant-a', 'OrderFulfillmentRequested', 1, 'Order', 'o-' || g, 'tenant-a:o-' || g,
		       jsonb_build_object('seq', g), now(),
		       case when g <= 3 then timestamptz '2026-07-01 10:00Z' when g = 4 then timestamptz '2026-07-01 11:00Z'
		            when g = 6 then timestamptz '2026-07-01 12:00Z' end
		from generate_series(1, 6) g`)
	must(t, err)

	_, err = provider.UpTo(ctx, 15)
	must(t, err)
	var through int64
	var batches int
	must(t, pool.QueryRow(ctx, `select outbox_published_through(), (select count(*) from outbox_publication)`).Scan(&through, &batches))
	if through != 4 || batches != 2 {
		t.Fatalf("cursor %d over %d publications; want 4 over 2 (rows 1-3 and row 4; row 6 waits behind row 5)", through, batches)
	}
	var envelope string
	must(t, pool.QueryRow(ctx, `select envelope::text from outbox_event where position = 2`).Scan(&envelope))
	if envelope != `{"seq": 2}` {
		t.Fatalf("envelope %s after the change to json", envelope)
	}

	_, err = provider.DownTo(ctx, 14)
	must(t, err)
	var marked, unmarked int
	must(t, pool.QueryRow(ctx, `select count(*) filter (where published_at is not null), count(*) filter (where published_at is null)
		from outbox_event`).Scan(&marked, &unmarked))
	if marked != 4 || unmarked != 2 {
		t.Fatalf("after going down %d rows marked and %d not; want 4 and 2", marked, unmarked)
	}
	_, err = provider.Up(ctx)
	must(t, err)
}

// Evidence stored before 00016 is linked to its result event from the outbox rows still kept;
// evidence whose row is gone, or that no event names, stays unlinked.
func TestCallbackResultEventMigrationLinksKeptEvents(t *testing.T) {
	ctx := context.Background()
	pool, provider := databaseAtVersion(t, 15)
	_, err := pool.Exec(ctx, `
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

// databaseAtVersion is a fresh database migrated down to version, and the provider that moves it.
func databaseAtVersion(t *testing.T, version int64) (*pgxpool.Pool, *goose.Provider) {
	t.Helper()
	pool, url := pgtest.NewDatabase(t)
	db, err := sql.Open("pgx", url)
	must(t, err)
	t.Cleanup(func() { _ = db.Close() })
	provider, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS, goose.WithDisableGlobalRegistry(true))
	must(t, err)
	_, err = provider.DownTo(context.Background(), version)
	must(t, err)
	return pool, provider
}
