package postgres_test

import (
	"context"
	"sync"
	"testing"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/postgres"
)

// completeConcurrently runs one UpdatePlan per task id at the same time; all
// of them load the plan before any writes, so they all start from the same
// version. With retry, each retried run reloads.
func completeConcurrently(t *testing.T, s *postgres.Store, planID string, taskIDs []string, retry bool) []error {
	ctx := context.Background()
	var loaded sync.WaitGroup
	loaded.Add(len(taskIDs))
	errs := make([]error, len(taskIDs))
	var done sync.WaitGroup
	for i, id := range taskIDs {
		done.Add(1)
		go func(i int, id string) {
			defer done.Done()
			first := true
			op := func() error {
				return s.UpdatePlan(ctx, tenant, planID, func(p *domain.Plan) error {
					if first {
						first = false
						loaded.Done()
						loaded.Wait() // every writer holds the same version now
					}
					if _, err := p.StartTask(id, domain.AttemptRequest{}, cause("RUN")); err != nil {
						return err
					}
					_, err := p.CompleteTask(id, domain.TaskResult{}, cause("RUN"))
					return err
				})
			}
			if retry {
				errs[i] = postgres.RetryOnConflict(ctx, 5, op)
			} else {
				errs[i] = op()
			}
		}(i, id)
	}
	done.Wait()
	return errs
}

func TestConcurrentTaskCompletionConflicts(t *testing.T) {
	s, pool := newStore(t)
	_, p := created(t, s)
	ready := p.ReadyTaskIDs() // access.check and router.ship run in parallel
	if len(ready) != 2 {
		t.Fatalf("ready %v", ready)
	}
	errs := completeConcurrently(t, s, p.ID, ready, false)
	var ok, conflicts int
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case domain.ErrorCode(err) == domain.EVERSIONCONFLICT:
			conflicts++
		default:
			t.Fatalf("unexpected error %v", err)
		}
	}
	if ok != 1 || conflicts != 1 {
		t.Fatalf("ok=%d conflicts=%d, want 1 and 1", ok, conflicts)
	}
	got, err := s.GetPlan(context.Background(), tenant, p.ID)
	must(t, err)
	completed := 0
	for _, task := range got.Tasks {
		if task.Status == domain.TaskCompleted {
			completed++
		}
	}
	if completed != 1 || got.Version != 1 || count(t, pool, "fulfillment_task_attempt") != 1 {
		t.Fatalf("completed=%d version=%d", completed, got.Version)
	}
}

// With retry on conflict both writers succeed and neither update is lost:
// the later one recomputes readiness from the earlier one's result.
func TestConcurrentTaskCompletionWithRetryLosesNothing(t *testing.T) {
	s, pool := newStore(t)
	_, p := created(t, s)
	errs := completeConcurrently(t, s, p.ID, p.ReadyTaskIDs(), true)
	for _, err := range errs {
		must(t, err)
	}
	got, err := s.GetPlan(context.Background(), tenant, p.ID)
	must(t, err)
	if keyTask(t, got, "access.check").Status != domain.TaskCompleted || keyTask(t, got, "router.ship").Status != domain.TaskCompleted {
		t.Fatal("an update was lost")
	}
	if got.Version != 2 || keyTask(t, got, "access.reserve").Status != domain.TaskReady {
		t.Fatalf("version %d reserve %s", got.Version, keyTask(t, got, "access.reserve").Status)
	}
	if n := count(t, pool, "fulfillment_task_attempt"); n != 2 {
		t.Fatalf("attempt rows %d", n)
	}
}

func TestConcurrentOrderUpdates(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	o, _ := created(t, s)
	must(t, s.UpdateOrder(ctx, tenant, o.ID, func(o *domain.Order) error { return o.StartFulfillment(cause("LOAD")) }))
	// Two stale copies: suspend and finalise-by-hand race on version 1.
	var loaded, done sync.WaitGroup
	loaded.Add(2)
	errs := make([]error, 2)
	moves := []func(*domain.Order) error{
		func(o *domain.Order) error { return o.Suspend(domain.SuspendFraudReview, cause("RISK")) },
		func(o *domain.Order) error { return o.Transition(domain.OrderFailedWithFallout, cause("FAIL")) },
	}
	for i := range moves {
		done.Add(1)
		go func(i int) {
			defer done.Done()
			errs[i] = s.UpdateOrder(ctx, tenant, o.ID, func(o *domain.Order) error {
				loaded.Done()
				loaded.Wait()
				return moves[i](o)
			})
		}(i)
	}
	done.Wait()
	if (errs[0] == nil) == (errs[1] == nil) {
		t.Fatalf("want exactly one winner: %v / %v", errs[0], errs[1])
	}
	for _, err := range errs {
		if err != nil && !domain.IsConflict(err) {
			t.Fatalf("loser got %v", err)
		}
	}
	got, err := s.GetOrder(ctx, tenant, o.ID)
	must(t, err)
	if got.Version != 2 || (got.Status != domain.OrderSuspended && got.Status != domain.OrderFailedWithFallout) {
		t.Fatalf("order %s v%d", got.Status, got.Version)
	}
}
