package fulfillment_test

import (
	"testing"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/fulfillment"
)

// Finalize counts an order's completion once, however often its job is delivered, and observes
// how long the order took since capture.
func TestFinalizeCountsTheCompletionOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	o := f.newOrder()
	_, blocked := f.run(o, fulfillment.JobFinalizeFulfillment, nil)
	if blocked == nil || f.counter("fulfillment_process_completed_total", fulfillment.JobFinalizeFulfillment) != 0 {
		t.Fatalf("finalize with open tasks gave %v and counted a completion", blocked)
	}
	// Every task done, as if the plan had run; how it ran is other tests' business.
	if n := f.count(`with done as (update fulfillment_task set status = 'COMPLETED', completed_at = now(), version = version + 1
		where fulfillment_plan_id = $1 returning 1) select count(*) from done`, o.FulfillmentPlanID); n == 0 {
		t.Fatal("setup: the plan has no tasks")
	}
	for delivery := 1; delivery <= 2; delivery++ {
		if out := f.must(f.run(o, fulfillment.JobFinalizeFulfillment, nil)); out["orderStatus"] != string(domain.OrderCompleted) {
			t.Fatalf("delivery %d: %v, want orderStatus COMPLETED", delivery, out)
		}
	}
	if v := f.counter("fulfillment_process_completed_total", fulfillment.JobFinalizeFulfillment); v != 1 {
		t.Fatalf("fulfillment_process_completed_total = %v, want 1", v)
	}
	if n, sum := f.histogram("order_completion_duration_seconds", "order_status", "COMPLETED"); n != 1 || sum <= 0 {
		t.Fatalf("order_completion_duration_seconds{order_status=COMPLETED} has %d observations summing %v, want 1 > 0", n, sum)
	}
}
