package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/orderfleet/orderfleet/internal/callback"
	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/httpapi"
	"github.com/orderfleet/orderfleet/internal/postgres"
	"github.com/orderfleet/orderfleet/internal/postgres/pgtest"
)

const (
	tenantA = "tenant-a"
	tenantB = "tenant-b"
	tokenA  = "token-of-tenant-a-0123456789"
	tokenB  = "token-of-tenant-b-0123456789"
)

var t0 = time.Date(2026, 7, 2, 5, 0, 0, 0, time.UTC)

// fixture is a migrated database, the real API handler over it behind an
// httptest server, and a clock the test moves.
type fixture struct {
	t     *testing.T
	pool  *pgxpool.Pool
	store *postgres.Store
	srv   *httptest.Server
	reg   *prometheus.Registry
	logs  *observer.ObservedLogs
	mu    sync.Mutex
	clock time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, pool: pgtest.NewPool(t), reg: prometheus.NewRegistry(), clock: t0}
	f.store = postgres.New(f.pool)
	cat, err := domain.LoadCatalog()
	must(t, err)
	core, logs := observer.New(zap.InfoLevel)
	f.logs = logs
	log := zap.New(core)
	callbacks, err := callback.New(callback.Config{Secrets: callback.Secrets{tenantA: "tenant-a-callback-secret-0123"}}, f.store, log, f.reg)
	must(t, err)
	api, err := httpapi.New(httpapi.Config{
		Tokens: httpapi.Tokens{tokenA: tenantA, tokenB: tenantB}, MaxBodyBytes: 64 << 10, DefaultPageSize: 50, MaxPageSize: 200,
		Now: f.now,
	}, f.store, cat, log, f.reg, callbacks)
	must(t, err)
	f.srv = httptest.NewServer(api)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fixture) now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.clock
}

// setClock puts the clock at t.
func (f *fixture) setClock(t time.Time) {
	f.mu.Lock()
	f.clock = t
	f.mu.Unlock()
}

// tick moves the clock on, so later writes sort after earlier ones.
func (f *fixture) tick(d time.Duration) {
	f.mu.Lock()
	f.clock = f.clock.Add(d)
	f.mu.Unlock()
}

// response is a finished HTTP exchange.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not a JSON object (%d): %s", r.status, r.body)
	}
	return m
}

// req sends a request. body may be nil, a string (sent as is) or a value to
// encode; headers are name/value pairs.
func (f *fixture) req(method, path, token string, body any, headers ...string) response {
	f.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		must(f.t, err)
		rd = bytes.NewReader(raw)
	}
	r, err := http.NewRequest(method, f.srv.URL+path, rd)
	must(f.t, err)
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Set(headers[i], headers[i+1])
	}
	res, err := f.srv.Client().Do(r)
	must(f.t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	must(f.t, err)
	return response{status: res.StatusCode, header: res.Header, body: raw}
}

// expect fails unless the response has the status; for an error status it
// also checks the problem+json shape and returns the stable code.
func expect(t *testing.T, r response, status int) map[string]any {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	m := r.json(t)
	if status >= 400 {
		if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
			t.Fatalf("problem Content-Type %q", ct)
		}
		if m["status"] != float64(status) || m["title"] != http.StatusText(status) || m["code"] == "" ||
			m["type"] != "urn:orderfleet:problem:"+m["code"].(string) {
			t.Fatalf("problem shape %s", r.body)
		}
	}
	return m
}

func expectCode(t *testing.T, r response, status int, code string) map[string]any {
	t.Helper()
	m := expect(t, r, status)
	if m["code"] != code {
		t.Fatalf("code %v, want %s: %s", m["code"], code, r.body)
	}
	return m
}

// fieldsOf lists the fields a problem's errors name.
func fieldsOf(m map[string]any) []string {
	var out []string
	errs, _ := m["errors"].([]any)
	for _, e := range errs {
		out = append(out, e.(map[string]any)["field"].(string))
	}
	return out
}

func bundleOrder(customer string) map[string]any {
	return map[string]any{
		"customerId": customer,
		"items": []any{map[string]any{"lineNo": 1, "productCode": "BROADBAND_BUNDLE", "action": "ADD",
			"location": "1 Main St", "attributes": map[string]string{"downloadMbps": "500"}}},
	}
}

// capture creates a bundle order for tenant A through the API.
func (f *fixture) capture(customer string) map[string]any {
	f.t.Helper()
	return expect(f.t, f.req(http.MethodPost, "/api/v1/orders", tokenA, bundleOrder(customer)), http.StatusCreated)
}

func (f *fixture) count(sql string, args ...any) int {
	f.t.Helper()
	var n int
	must(f.t, f.pool.QueryRow(context.Background(), sql, args...).Scan(&n))
	return n
}

func (f *fixture) rows(table string) int { return f.count("select count(*) from " + table) }

func (f *fixture) events(eventType string) []map[string]any {
	f.t.Helper()
	rows, err := f.pool.Query(context.Background(), `select envelope from outbox_event where event_type = $1 order by position`, eventType)
	must(f.t, err)
	defer rows.Close()
	var out []map[string]any
	for rows.Next() {
		var env map[string]any
		must(f.t, rows.Scan(&env))
		out = append(out, env)
	}
	return out
}

// changePlan runs a domain change on an order's plan, as a worker would.
func (f *fixture) changePlan(orderID string, fn func(*domain.Order, *domain.Plan) error) {
	f.t.Helper()
	must(f.t, f.store.UpdateOrderAndPlan(context.Background(), tenantA, orderID, fn))
}

func workerCause(at time.Time) domain.Cause {
	return domain.Cause{Actor: domain.Actor{Type: domain.ActorWorker, ID: "api-test"}, At: at}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// readyTask returns the first READY task of an order's plan.
func (f *fixture) readyTask(orderID string) string {
	f.t.Helper()
	m := expect(f.t, f.req(http.MethodGet, "/api/v1/orders/"+orderID+"/fulfillment-tasks?status=READY", tokenA, nil), http.StatusOK)
	items := m["items"].([]any)
	if len(items) == 0 {
		f.t.Fatalf("order %s has no READY task", orderID)
	}
	return items[0].(map[string]any)["taskId"].(string)
}

func (f *fixture) taskStatus(orderID, taskID string) string {
	f.t.Helper()
	var st string
	must(f.t, f.pool.QueryRow(context.Background(), `select status from fulfillment_task where order_id = $1 and id = $2`, orderID, taskID).Scan(&st))
	return st
}

func skipBody() map[string]any {
	return map[string]any{"reasonCode": "NOT_NEEDED_FOR_CUSTOMER", "reason": "customer declined the add-on",
		"evidenceReference": "ticket-42", "operatorId": "ops-1", "approverId": "lead-7"}
}

func stringField(key, value string) zap.Field { return zap.String(key, value) }
