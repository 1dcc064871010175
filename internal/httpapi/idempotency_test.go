package httpapi_test

import (
	"bytes"
	"context"
	"net/http"
	"sync"
	"testing"
)

func TestIdempotencyKeyReplaysTheStoredAnswer(t *testing.T) {
	f := newFixture(t)
	first := f.req(http.MethodPost, "/api/v1/orders", tokenA, bundleOrder("cust-1"), "Idempotency-Key", "capture-001")
	expect(t, first, http.StatusCreated)
	f.tick(1e9)
	again := f.req(http.MethodPost, "/api/v1/orders", tokenA, bundleOrder("cust-1"), "Idempotency-Key", "capture-001")
	if again.status != first.status || !bytes.Equal(again.body, first.body) || again.header.Get("Location") != first.header.Get("Location") {
		t.Fatalf("replay %d %s, first %d %s", again.status, again.body, first.status, first.body)
	}
	if again.header.Get("Idempotent-Replayed") != "true" || first.header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("replay header %q / %q", first.header.Get("Idempotent-Replayed"), again.header.Get("Idempotent-Replayed"))
	}
	for table, want := range map[string]int{"customer_order": 1, "workflow_start_request": 1, "api_idempotency": 1} {
		if got := f.rows(table); got != want {
			t.Errorf("%s has %d rows after a replay, want %d", table, got, want)
		}
	}
	if n := len(f.events("OrderFulfillmentRequested")); n != 1 {
		t.Fatalf("%d OrderFulfillmentRequested events after a replay", n)
	}
	expectCode(t, f.req(http.MethodPost, "/api/v1/orders", tokenA, bundleOrder("cust-2"), "Idempotency-Key", "capture-001"),
		http.StatusConflict, "idempotency_key_reused")
	orderID := first.json(t)["orderId"].(string)
	expectCode(t, f.req(http.MethodPost, "/api/v1/orders/"+orderID+"/fulfillment/start", tokenA, nil, "Idempotency-Key", "capture-001"),
		http.StatusConflict, "idempotency_key_reused")
	// keys belong to a tenant: tenant B's identical key is its own request
	other := expect(t, f.req(http.MethodPost, "/api/v1/orders", tokenB, bundleOrder("cust-1"), "Idempotency-Key", "capture-001"), http.StatusCreated)
	if other["orderId"] == orderID || f.rows("customer_order") != 2 {
		t.Fatalf("tenant B's request was answered from tenant A's key: %v", other)
	}
}

func TestFailedRequestLeavesItsKeyFree(t *testing.T) {
	f := newFixture(t)
	bad := bundleOrder("cust-1")
	bad["items"].([]any)[0].(map[string]any)["productCode"] = "TIME_MACHINE" // refused inside the transaction
	expectCode(t, f.req(http.MethodPost, "/api/v1/orders", tokenA, bad, "Idempotency-Key", "k-1"), http.StatusBadRequest, "invalid")
	if f.rows("api_idempotency") != 0 {
		t.Fatal("a refused request kept its idempotency key")
	}
	expect(t, f.req(http.MethodPost, "/api/v1/orders", tokenA, bundleOrder("cust-1"), "Idempotency-Key", "k-1"), http.StatusCreated)
}

func TestConcurrentRequestsWithOneKeyRunOnce(t *testing.T) {
	f := newFixture(t)
	const n = 8
	answers := make([]response, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i] = f.req(http.MethodPost, "/api/v1/orders", tokenA, bundleOrder("cust-1"), "Idempotency-Key", "race-1")
		}()
	}
	wg.Wait()
	replays := 0
	for _, a := range answers {
		if a.status != http.StatusCreated || !bytes.Equal(a.body, answers[0].body) {
			t.Fatalf("answers differ: %d %s vs %d %s", a.status, a.body, answers[0].status, answers[0].body)
		}
		if a.header.Get("Idempotent-Replayed") == "true" {
			replays++
		}
	}
	if f.rows("customer_order") != 1 || replays != n-1 {
		t.Fatalf("%d orders, %d replays for %d concurrent requests", f.rows("customer_order"), replays, n)
	}
}

// journalTables are every table a capture or command writes.
var journalTables = []string{"customer_order", "order_item", "fulfillment_plan", "fulfillment_task", "fulfillment_task_dependency",
	"workflow_start_request", "manual_decision", "audit_entry", "outbox_event", "api_idempotency"}

func TestFailureMidTransactionLeavesNothingBehind(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	// the outbox insert is the last write of the unit of work: failing it
	// comes after the order, plan, tasks and idempotency row were written
	_, err := f.pool.Exec(ctx, `
		create function refuse_outbox() returns trigger language plpgsql as $$
		begin raise exception 'outbox unavailable'; end $$;
		create trigger refuse_outbox before insert on outbox_event for each row execute function refuse_outbox();`)
	must(t, err)
	expectCode(t, f.req(http.MethodPost, "/api/v1/orders", tokenA, bundleOrder("cust-1"), "Idempotency-Key", "mid-1"),
		http.StatusInternalServerError, "internal")
	for _, table := range journalTables {
		if n := f.rows(table); n != 0 {
			t.Errorf("%s kept %d rows of a failed transaction", table, n)
		}
	}
	_, err = f.pool.Exec(ctx, `drop trigger refuse_outbox on outbox_event`)
	must(t, err)
	expect(t, f.req(http.MethodPost, "/api/v1/orders", tokenA, bundleOrder("cust-1"), "Idempotency-Key", "mid-1"), http.StatusCreated)

	// a decision fails while its answer is stored, after the domain applied it
	o := f.capture("cust-2")
	orderID := o["orderId"].(string)
	task := f.readyTask(orderID)
	before := map[string]int{}
	for _, table := range journalTables {
		before[table] = f.rows(table)
	}
	_, err = f.pool.Exec(ctx, `
		create function refuse_answer() returns trigger language plpgsql as $$
		begin raise exception 'disk full'; end $$;
		create trigger refuse_answer before update on api_idempotency for each row execute function refuse_answer();`)
	must(t, err)
	expectCode(t, f.req(http.MethodPost, "/api/v1/orders/"+orderID+"/fulfillment-tasks/"+task+"/skip", tokenA, skipBody(), "Idempotency-Key", "mid-2"),
		http.StatusInternalServerError, "internal")
	for _, table := range journalTables {
		if n := f.rows(table); n != before[table] {
			t.Errorf("%s has %d rows after a failed decision, had %d", table, n, before[table])
		}
	}
	if st := f.taskStatus(orderID, task); st != "READY" {
		t.Fatalf("task is %s after a failed skip", st)
	}
}
