package postgres_test

import (
	"context"
	"io/fs"
	"strings"
	"testing"

	"github.com/orderfleet/orderfleet/internal/postgres"
	"github.com/orderfleet/orderfleet/internal/postgres/pgtest"
	"github.com/orderfleet/orderfleet/migrations"
)

func TestMigrateIsIdempotent(t *testing.T) {
	pool, url := pgtest.NewDatabase(t)
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		if err := postgres.Migrate(ctx, url); err != nil {
			t.Fatalf("run %d: %v", i+1, err)
		}
	}
	var applied int
	must(t, pool.QueryRow(ctx, "select count(*) from goose_db_version where version_id > 0 and is_applied").Scan(&applied))
	files, err := fs.Glob(migrations.FS, "*.sql")
	must(t, err)
	if applied != len(files) || applied < 9 {
		t.Fatalf("%d migrations recorded, want one per file (%d)", applied, len(files))
	}
	// every table carries a non-null tenant_id, except outbox_publication: the outbox relay's batches
	// span tenants
	rows, err := pool.Query(ctx, `
		select c.table_name from information_schema.tables c
		where c.table_schema = 'public' and c.table_type = 'BASE TABLE'
		  and c.table_name not in ('goose_db_version', 'outbox_publication')
		  and not exists (select 1 from information_schema.columns k where k.table_schema = 'public'
		      and k.table_name = c.table_name and k.column_name = 'tenant_id' and k.is_nullable = 'NO')`)
	must(t, err)
	defer rows.Close()
	for rows.Next() {
		var name string
		must(t, rows.Scan(&name))
		t.Errorf("table %s has no non-null tenant_id", name)
	}
	var tables []string
	must(t, pool.QueryRow(ctx, `select array_agg(table_name::text order by table_name) from information_schema.tables
		where table_schema = 'public' and table_type = 'BASE TABLE' and table_name <> 'goose_db_version'`).Scan(&tables))
	want := "api_idempotency audit_entry callback_evidence compensation_plan compensation_task customer_order dead_letter " +
		"external_call_attempt fallout_case fulfillment_execution fulfillment_plan fulfillment_task " +
		"fulfillment_task_attempt fulfillment_task_dependency inbox_event installed_base_asset " +
		"installed_base_asset_version manual_decision manual_task_job order_item order_workflow_ref outbox_event " +
		"outbox_publication reconciliation_finding workflow_message_correlation workflow_start_request"
	if got := strings.Join(tables, " "); got != want {
		t.Fatalf("tables:\n got %s\nwant %s", got, want)
	}
}
