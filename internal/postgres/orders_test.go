package postgres_test

import (
	"context"
	"encoding/json"
	"reflect"
	"sort"
	"testing"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/postgres"
)

func TestCreateOrderWithPlanRoundTrip(t *testing.T) {
	s, pool := newStore(t)
	ctx := context.Background()
	o, p, req := prepare(t, s, bundle(1), domain.ItemInput{LineNo: 2, ProductCode: "SECURITY_SUITE", Action: domain.ActionAdd, ParentLineNo: 1})
	wantAudit, wantEvents := len(o.PendingAudit())+len(p.PendingAudit()), len(o.PendingEvents())+len(p.PendingEvents())
	must(t, s.CreateOrderWithPlan(ctx, o, p, req))
	if o.HasPending() || p.HasPending() || o.Version != 0 || p.Version != 0 {
		t.Fatalf("after create: pending %v/%v versions %d/%d", o.HasPending(), p.HasPending(), o.Version, p.Version)
	}

	gotOrder, err := s.GetOrder(ctx, tenant, o.ID)
	must(t, err)
	o.Changes = domain.Changes{}
	if !reflect.DeepEqual(gotOrder, o) {
		t.Fatalf("order round trip\n got %+v\nwant %+v", gotOrder, o)
	}
	gotPlan, err := s.GetPlan(ctx, tenant, p.ID)
	must(t, err)
	if len(gotPlan.Tasks) != len(p.Tasks) || gotPlan.Status != domain.PlanCreated || gotPlan.CompletionPolicy != p.CompletionPolicy {
		t.Fatalf("plan %+v", gotPlan)
	}
	for i, want := range p.Tasks {
		got := gotPlan.Tasks[i]
		if got.ID != want.ID || got.Key != want.Key || got.Type != want.Type || got.Status != want.Status ||
			!reflect.DeepEqual(got.DependsOn, want.DependsOn) || got.Retry != want.Retry || got.Timeout != want.Timeout ||
			got.Compensation != want.Compensation || got.InputSnapshotHash != want.InputSnapshotHash || got.Optional != want.Optional ||
			got.OwnerSystem != want.OwnerSystem || got.Mode != want.Mode || got.OrderItemID != want.OrderItemID {
			t.Fatalf("task %d round trip\n got %+v\nwant %+v", i, got, want)
		}
		if h, _ := domain.SnapshotHash(got.Input); h != want.InputSnapshotHash {
			t.Fatalf("task %s input changed in storage", got.Key)
		}
	}
	if !reflect.DeepEqual(gotPlan.ReadyTaskIDs(), p.ReadyTaskIDs()) {
		t.Fatal("ready tasks differ after reload")
	}

	var business, status, process string
	must(t, pool.QueryRow(ctx, `select business_key, status, process_id from workflow_start_request
		where tenant_id = $1 and order_id = $2 and fulfillment_plan_id = $3`, tenant, o.ID, p.ID).Scan(&business, &status, &process))
	if business != tenant+":"+o.ID+":"+p.ID || status != "PENDING" || process != "order-fulfillment-v1" {
		t.Fatalf("start request %s %s %s", business, status, process)
	}
	if n := count(t, pool, "audit_entry"); n != wantAudit {
		t.Fatalf("audit rows %d, want %d", n, wantAudit)
	}
	if n := count(t, pool, "outbox_event"); n != wantEvents || n != 1 {
		t.Fatalf("outbox rows %d, want %d (just OrderFulfillmentRequested)", n, wantEvents)
	}
	var envelope []byte
	var key string
	var xidSafe bool
	must(t, pool.QueryRow(ctx, `select envelope, message_key, transaction_id is not null and position > outbox_published_through()
		from outbox_event where event_type = 'OrderFulfillmentRequested'`).Scan(&envelope, &key, &xidSafe))
	var env map[string]any
	must(t, json.Unmarshal(envelope, &env))
	var keys []string
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if !reflect.DeepEqual(keys, []string{"aggregateId", "aggregateType", "correlationId", "eventId", "eventType", "eventVersion", "occurredAt", "payload", "tenantId"}) ||
		env["aggregateId"] != o.ID || key != tenant+":"+o.ID || !xidSafe {
		t.Fatalf("envelope %s key %s", envelope, key)
	}
	if pl := env["payload"].(map[string]any); pl["businessKey"] != business {
		t.Fatalf("payload %v", pl)
	}
}

func TestTimelineIsOrdered(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	o, _ := created(t, s)
	must(t, s.UpdateOrderAndPlan(ctx, tenant, o.ID, func(o *domain.Order, p *domain.Plan) error {
		if err := o.StartFulfillment(cause("LOAD_PLAN")); err != nil {
			return err
		}
		_, err := o.RequestCancellation(p, "CUSTOMER_REQUEST", cause("CANCEL"))
		return err
	}))
	tl, err := s.Timeline(ctx, tenant, o.ID)
	must(t, err)
	var moves []string
	for _, a := range tl {
		if a.AggregateType == domain.AggregateOrder {
			moves = append(moves, a.StateBefore+">"+a.StateAfter)
		}
		if a.ActorID != "repo-test" || a.OrderID != o.ID || a.CorrelationID != "corr-1" {
			t.Fatalf("entry %+v", a)
		}
	}
	want := []string{">CAPTURED", "CAPTURED>VALIDATED", "VALIDATED>DECOMPOSED", "DECOMPOSED>FULFILLMENT_READY",
		"FULFILLMENT_READY>FULFILLING", "FULFILLING>CANCELLATION_REQUESTED"}
	if !reflect.DeepEqual(moves, want) {
		t.Fatalf("order timeline %v", moves)
	}
	got, err := s.GetOrder(ctx, tenant, o.ID)
	must(t, err)
	if got.Status != domain.OrderCancellationRequested || got.Version != 1 || got.CancellationCode != "CUSTOMER_REQUEST" {
		t.Fatalf("order %s v%d %q", got.Status, got.Version, got.CancellationCode)
	}
}

func TestNotFoundAndTenantIsolation(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	o, p := created(t, s)
	if _, err := s.GetOrder(ctx, "tenant-b", o.ID); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("other tenant sees order: %v", err)
	}
	if _, err := s.GetPlan(ctx, tenant, domain.NewUUID()); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("missing plan: %v", err)
	}
	if _, err := s.GetPlan(ctx, tenant, "not-a-uuid"); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("malformed id: %v", err)
	}
	err := s.UpdatePlan(ctx, "tenant-b", p.ID, func(*domain.Plan) error { return nil })
	if domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("update across tenants: %v", err)
	}
}

func TestUniqueViolationIsTypedConflict(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	o, p, req := prepare(t, s, bundle(1))
	must(t, s.CreateOrderWithPlan(ctx, o, p, req))
	err := s.CreateOrderWithPlan(ctx, o, p, req)
	if domain.ErrorCode(err) != domain.ECONFLICT || postgres.ConstraintOf(err) != "customer_order_pkey" {
		t.Fatalf("duplicate create: %v (constraint %q)", err, postgres.ConstraintOf(err))
	}
	var de *domain.Error
	if !asDomain(err, &de) {
		t.Fatalf("raw error leaked: %T", err)
	}
}
