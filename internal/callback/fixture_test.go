package callback_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/callback"
	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/metrictest"
	"github.com/orderfleet/orderfleet/internal/postgres"
	"github.com/orderfleet/orderfleet/internal/postgres/pgtest"
)

const (
	tenant = "tenant-a"
	secret = "tenant-a-callback-secret-0123456789"
	corrID = "prov-7f3a9c"
)

var now = time.Date(2026, 7, 2, 5, 0, 0, 0, time.UTC)

// fixture is one migrated database holding an order whose provisioning task has a submitted
// external call, and a callback handler over it.
type fixture struct {
	t         *testing.T
	pool      *pgxpool.Pool
	store     *postgres.Store
	handler   *callback.Handler
	reg       *prometheus.Registry
	orderID   string
	taskID    string // CREATE_PROVISIONING_REQUEST, with an external call under corrID
	shipID    string // CONFIRM_SHIPMENT, no external call recorded
	ipProvID  string // the other CREATE_PROVISIONING_REQUEST task
	attemptID string
	clock     time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{t: t, pool: pgtest.NewPool(t), reg: prometheus.NewRegistry(), clock: now}
	f.store = postgres.New(f.pool)
	cat, err := domain.LoadCatalog()
	must(t, err)
	cause := domain.Cause{Actor: domain.Actor{Type: domain.ActorWorker, ID: "callback-test"}, At: now}
	ids := domain.RandomIDs()
	o, err := domain.NewOrder(domain.NewOrderInput{TenantID: tenant, CustomerID: "cust-1", Items: []domain.ItemInput{{
		LineNo: 1, ProductCode: "BROADBAND_BUNDLE", Action: domain.ActionAdd, Location: "1 Main St",
		Attributes: map[string]string{"downloadMbps": "500"}}}}, ids, cause)
	must(t, err)
	p, req, err := domain.PrepareFulfillment(o, cat, f.store.AssetLookup(ctx), ids, cause)
	must(t, err)
	must(t, f.store.CreateOrderWithPlan(ctx, o, p, req))
	f.orderID = o.ID
	for _, task := range p.Tasks {
		switch task.Key {
		case "access.provision":
			f.taskID = task.ID
		case "router.ship":
			f.shipID = task.ID
		case "ip.provision":
			f.ipProvID = task.ID
		}
	}
	key := domain.IdempotencyKey(tenant, o.ID, f.taskID, "execute-1")
	_, _, err = f.store.AppendAttempt(ctx, domain.Attempt{TenantID: tenant, OrderID: o.ID, TaskID: f.taskID, AttemptNo: 1,
		Purpose: "execute-1", Status: domain.AttemptSubmitted, IdempotencyKey: key, ExternalSystem: "provisioning-adapter", StartedAt: now})
	must(t, err)
	f.attemptID = domain.NewUUID()
	_, err = f.pool.Exec(ctx, `
		insert into external_call_attempt (id, tenant_id, order_id, fulfillment_task_id, attempt_no, external_system,
		    external_correlation_id, idempotency_key, request_hash, status, submitted_at, updated_at)
		values ($1, $2, $3, $4, 1, 'provisioning-adapter', $5, $6, 'sha256:req', 'ACCEPTED', $7, $7)`,
		f.attemptID, tenant, o.ID, f.taskID, corrID, key, now)
	must(t, err)
	f.handler, err = callback.New(callback.Config{
		Secrets: callback.Secrets{tenant: secret, "tenant-b": "tenant-b-callback-secret-0123456789"},
		Now:     func() time.Time { return f.clock },
	}, f.store, zap.NewNop(), f.reg)
	must(t, err)
	return f
}

// payload is a valid provisioning callback for the fixture's task.
func (f *fixture) payload() map[string]any {
	return map[string]any{
		"partnerEventId": "evt-1", "orderId": f.orderID, "taskId": f.taskID, "externalCorrelationId": corrID,
		"outcome": "COMPLETED", "occurredAt": now.Add(-2 * time.Second).Format(time.RFC3339),
	}
}

// send posts body to system's callback route, signed for tenantID with key at the fixture's clock.
func (f *fixture) send(system, tenantID, key string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/api/v1/integrations/"+system+"/callbacks", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	callback.SignRequest(req, tenantID, key, body, f.clock)
	rec := httptest.NewRecorder()
	f.handler.ServeHTTP(rec, req)
	return rec
}

// post sends a valid signed provisioning callback with the given payload.
func (f *fixture) post(p map[string]any) *httptest.ResponseRecorder {
	return f.send("provisioning", tenant, secret, encode(f.t, p))
}

func encode(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	must(t, err)
	return b
}

// rows counts what a callback may write.
type rows struct{ evidence, outbox, audit, attemptVersion int }

func (f *fixture) rows() rows {
	f.t.Helper()
	var r rows
	q := func(sql string, dst *int, args ...any) {
		must(f.t, f.pool.QueryRow(context.Background(), sql, args...).Scan(dst))
	}
	q(`select count(*) from callback_evidence`, &r.evidence)
	q(`select count(*) from outbox_event where event_type = 'ExternalTaskResultReceived'`, &r.outbox)
	q(`select count(*) from audit_entry where action = 'EXTERNAL_CALLBACK_RECEIVED'`, &r.audit)
	q(`select version from external_call_attempt where id = $1`, &r.attemptVersion, f.attemptID)
	return r
}

func (f *fixture) attemptStatus() string {
	f.t.Helper()
	var s string
	must(f.t, f.pool.QueryRow(context.Background(), `select status from external_call_attempt where id = $1`, f.attemptID).Scan(&s))
	return s
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func decode[T any](t *testing.T, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("body %q: %v", rec.Body.String(), err)
	}
	return v
}

// counter sums a counter family over its labels; 0 if nothing was counted yet.
func (f *fixture) counter(name string) float64 {
	return metrictest.Sum(f.t, f.reg, name)
}
