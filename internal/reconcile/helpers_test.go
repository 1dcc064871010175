package reconcile_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/camunda/zeebe/clients/go/v8/pkg/zbc"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap/zaptest"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/engineapi"
	"github.com/orderfleet/orderfleet/internal/fulfillment"
	"github.com/orderfleet/orderfleet/internal/postgres"
	"github.com/orderfleet/orderfleet/internal/postgres/pgtest"
	"github.com/orderfleet/orderfleet/internal/reconcile"
	"github.com/orderfleet/orderfleet/internal/zeebe"
)

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func randomSuffix() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// fixture is one test's own database, tenant and reconciler scoped to that tenant.
type fixture struct {
	t         *testing.T
	ctx       context.Context
	db        *pgxpool.Pool
	dbURL     string
	store     *postgres.Store
	tenant    string
	rec       *reconcile.Reconciler
	reg       *prometheus.Registry
	engineAPI *engineapi.Client
}

// testConfig makes a backdated row count as old: the rows the tests age are an hour old.
func testConfig(tenant string) reconcile.Config {
	return reconcile.Config{TenantID: tenant, Grace: time.Minute, OutboxMaxAge: time.Minute, Lookback: 24 * time.Hour}
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	db, url := pgtest.NewDatabase(t)
	f := &fixture{t: t, ctx: ctx, db: db, dbURL: url, store: postgres.New(db), tenant: "recon-" + randomSuffix(),
		reg: prometheus.NewRegistry(), engineAPI: reconcile.NewEngine(envOr("ORDERFLEET_ENGINE_API_URL", reconcile.DefaultEngineAPIURL), "")}
	f.rec = reconcile.New(testConfig(f.tenant), db, f.engineAPI, zaptest.NewLogger(t), f.reg)
	return f
}

// capture records an order the way the OMS API does: order, plan, tasks, outbox events and a
// PENDING start request, with the order in FULFILLMENT_READY.
func (f *fixture) capture(tenant string) fulfillment.CapturedOrder {
	f.t.Helper()
	catalog, err := domain.LoadCatalog()
	if err != nil {
		f.t.Fatal(err)
	}
	in := domain.NewOrderInput{
		TenantID: tenant, CustomerID: "recon-customer", CompletionPolicy: domain.CompletionRequiresBillingActive,
		Items: []domain.ItemInput{{LineNo: 1, ProductCode: "CLOUD_BACKUP", Action: domain.ActionAdd, Quantity: 1,
			Attributes: map[string]string{"storageGb": "500"}}},
	}
	cause := domain.Cause{Actor: domain.Actor{Type: domain.ActorUser, ID: "reconcile-test"}, Reason: "reconcile test"}
	o, err := fulfillment.CaptureOrder(f.ctx, f.store, catalog, in, cause)
	if err != nil {
		f.t.Fatal(err)
	}
	return o
}

// publishAll records what the outbox relay records after Kafka acknowledged every row so far: one
// publication through the highest position, which moves outbox_published_through().
func (f *fixture) publishAll() {
	f.t.Helper()
	f.exec(`insert into outbox_publication (last_position, first_position, event_count)
		select max(position), outbox_published_through() + 1, count(*) from outbox_event where position > outbox_published_through()`)
}

func (f *fixture) exec(sql string, args ...any) {
	f.t.Helper()
	tag, err := f.db.Exec(f.ctx, sql, args...)
	if err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
	if tag.RowsAffected() == 0 && !strings.HasPrefix(strings.TrimSpace(sql), "insert") {
		f.t.Fatalf("%s changed no row", sql)
	}
}

// ageStartRequest makes the order's start request an hour old, well past the grace.
func (f *fixture) ageStartRequest(o fulfillment.CapturedOrder) {
	f.exec(`update workflow_start_request set created_at = now() - interval '1 hour' where tenant_id = $1 and order_id = $2`, o.TenantID, o.OrderID)
}

// setOrderStatus moves the order as a test needs, an hour ago, bypassing the state machine on purpose.
func (f *fixture) setOrderStatus(o fulfillment.CapturedOrder, status domain.OrderStatus) {
	f.exec(`update customer_order set status = $3, updated_at = now() - interval '1 hour' where tenant_id = $1 and id = $2`,
		o.TenantID, o.OrderID, string(status))
}

// recordStarted stores key as the relay does once it started the order's instance, an hour ago.
func (f *fixture) recordStarted(o fulfillment.CapturedOrder, key int64) {
	f.exec(`update workflow_start_request set status = 'STARTED', process_instance_key = $3,
		created_at = now() - interval '1 hour', started_at = now() - interval '1 hour'
		where tenant_id = $1 and order_id = $2`, o.TenantID, o.OrderID, fmt.Sprint(key))
	f.exec(`insert into order_workflow_ref (tenant_id, order_id, fulfillment_plan_id, process_id, process_instance_key, status, started_at)
		values ($1, $2, $3, 'reconcile-test', $4, 'STARTED', now() - interval '1 hour')
		on conflict (tenant_id, order_id, fulfillment_plan_id) do update set process_instance_key = excluded.process_instance_key`,
		o.TenantID, o.OrderID, o.FulfillmentPlanID, fmt.Sprint(key))
}

func (f *fixture) taskIDs(o fulfillment.CapturedOrder) []string {
	f.t.Helper()
	var ids []string
	if err := f.db.QueryRow(f.ctx, `select array_agg(id::text order by seq) from fulfillment_task where tenant_id = $1 and order_id = $2`,
		o.TenantID, o.OrderID).Scan(&ids); err != nil {
		f.t.Fatal(err)
	}
	if len(ids) < 2 {
		f.t.Fatalf("order has %d tasks, the tests need two", len(ids))
	}
	return ids
}

func (f *fixture) pass() reconcile.Report {
	f.t.Helper()
	rep, err := f.rec.Pass(f.ctx)
	if err != nil {
		f.t.Fatalf("pass: %v", err)
	}
	return rep
}

// open returns the open finding of kind about subject, failing the test when there is none.
func (f *fixture) open(kind domain.DivergenceKind, subject string) reconcile.Finding {
	f.t.Helper()
	found, ok := f.lookup(kind, subject)
	if !ok {
		f.t.Fatalf("no open %s finding about %s; open findings: %s", kind, subject, f.describeOpen())
	}
	return found
}

func (f *fixture) lookup(kind domain.DivergenceKind, subject string) (reconcile.Finding, bool) {
	f.t.Helper()
	open, err := f.rec.OpenFindings(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, x := range open {
		if x.Kind == kind && x.Subject == subject {
			return x, true
		}
	}
	return reconcile.Finding{}, false
}

func (f *fixture) notOpen(kind domain.DivergenceKind, subject string) {
	f.t.Helper()
	if x, ok := f.lookup(kind, subject); ok {
		f.t.Fatalf("unexpected open %s finding about %s: %s", kind, subject, x.Detail)
	}
}

// resolved checks that the subject's finding history ends in a resolved finding and none is open.
func (f *fixture) resolved(kind domain.DivergenceKind, subject string) {
	f.t.Helper()
	history, err := f.rec.Findings(f.ctx, f.tenant, kind, subject)
	if err != nil {
		f.t.Fatal(err)
	}
	if len(history) == 0 || history[0].ResolvedAt == nil {
		f.t.Fatalf("%s finding about %s is not resolved: %+v", kind, subject, history)
	}
	f.notOpen(kind, subject)
}

func (f *fixture) describeOpen() string {
	open, _ := f.rec.OpenFindings(f.ctx)
	var b strings.Builder
	for _, x := range open {
		fmt.Fprintf(&b, "\n  %s %s: %s", x.Kind, x.Subject, x.Detail)
	}
	return b.String()
}

// The engine side: one process per test binary with a single service task whose job type no
// worker serves, so its instances wait until the test cancels them. It never touches the fleet's
// job types or order-fulfillment-v1.
var (
	engineOnce sync.Once
	engine     zbc.Client
	engineErr  error
	waitID     = "reconcile-test-wait-" + randomSuffix()
)

func waitingProcess(id string) []byte {
	return []byte(fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">
  <bpmn:process id="%[1]s" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:serviceTask id="NeverWorked"><bpmn:extensionElements><zeebe:taskDefinition type="%[1]s-never-worked" /></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:serviceTask>
    <bpmn:endEvent id="e"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="NeverWorked" />
    <bpmn:sequenceFlow id="f2" sourceRef="NeverWorked" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>`, id))
}

func (f *fixture) engine() zbc.Client {
	f.t.Helper()
	engineOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		engine, engineErr = zeebe.Dial(ctx, envOr("ORDERFLEET_ZEEBE_ADDRESS", "127.0.0.1:26500"))
		if engineErr == nil {
			_, engineErr = zeebe.Deploy(ctx, engine, zeebe.Resource{Name: waitID + ".bpmn", Content: waitingProcess(waitID)})
		}
	})
	if engineErr != nil {
		f.t.Fatalf("engine at %s: %v (run `make stack-up`)", envOr("ORDERFLEET_ZEEBE_ADDRESS", "127.0.0.1:26500"), engineErr)
	}
	return engine
}

// startWaiting starts a waiting instance carrying the order's ids, as the start relay's would,
// waits until the read API shows it ACTIVE with its variables and its wait, and cancels it when the test ends.
func (f *fixture) startWaiting(o fulfillment.CapturedOrder) int64 {
	f.t.Helper()
	cmd, err := f.engine().NewCreateInstanceCommand().BPMNProcessId(waitID).LatestVersion().VariablesFromMap(map[string]any{
		"orderId": o.OrderID, "tenantId": o.TenantID, "fulfillmentPlanId": o.FulfillmentPlanID, "schemaVersion": 1,
	})
	if err != nil {
		f.t.Fatal(err)
	}
	resp, err := cmd.Send(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	key := resp.GetProcessInstanceKey()
	f.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, _ = engine.NewCancelInstanceCommand().ProcessInstanceKey(key).Send(ctx) // already gone is fine
	})
	f.waitState(key, "ACTIVE")
	f.waitOrderVariable(o.OrderID, key)
	ctx, cancel := context.WithTimeout(f.ctx, 90*time.Second)
	defer cancel()
	if _, err := f.engineAPI.WaitForElement(ctx, key, "NeverWorked"); err != nil {
		f.t.Fatal(err)
	}
	return key
}

// waitOrderVariable waits until the read API finds the instance by its orderId.
func (f *fixture) waitOrderVariable(orderID string, key int64) {
	f.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		keys, err := f.engineAPI.InstancesWithVariable(f.ctx, "orderId", orderID)
		if slices.Contains(keys, key) {
			return
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("the engine shows no orderId variable of instance %d (found %v, error %v)", key, keys, err)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func (f *fixture) cancelInstance(key int64) {
	f.t.Helper()
	engine := f.engine()
	retried := false
	err := zeebe.SendRetrying(f.ctx, 5, 20*time.Second, func(ctx context.Context) error {
		_, err := engine.NewCancelInstanceCommand().ProcessInstanceKey(key).Send(ctx)
		retried = retried || zeebe.IsBackpressure(err)
		return err
	})
	if err != nil && !(retried && zeebe.IsNotFound(err)) { // after a retry, not found means an earlier attempt got through
		f.t.Fatal(err)
	}
	f.waitState(key, engineapi.StateTerminated)
}

// waitState waits until the read API shows the instance in the state.
func (f *fixture) waitState(key int64, state string) {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(f.ctx, 90*time.Second)
	defer cancel()
	if _, err := f.engineAPI.WaitForState(ctx, key, state); err != nil {
		f.t.Fatalf("engine read API: %v", err)
	}
}
