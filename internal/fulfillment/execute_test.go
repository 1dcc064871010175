package fulfillment_test

import (
	"testing"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/fulfillment"
)

// A synchronous task counts one start and one completion, however often its job is delivered.
func TestExecuteTaskCountsOneStartAndOneCompletion(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	o := f.newOrder()
	for delivery := 1; delivery <= 2; delivery++ {
		if got := f.runSync(o, "access.check").Status; got != domain.TaskCompleted {
			t.Fatalf("delivery %d: access.check is %s, want COMPLETED", delivery, got)
		}
	}
	for _, name := range []string{"fulfillment_task_started_total", "fulfillment_task_completed_total"} {
		if v := f.counter(name, fulfillment.JobExecuteTask); v != 1 {
			t.Errorf("%s = %v, want 1", name, v)
		}
	}
}
