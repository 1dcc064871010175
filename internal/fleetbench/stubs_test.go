package fleetbench

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/camunda/zeebe/clients/go/v8/pkg/entities"
	"github.com/camunda/zeebe/clients/go/v8/pkg/worker"
	"github.com/camunda/zeebe/clients/go/v8/pkg/zbc"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/fulfillment"
	"github.com/orderfleet/orderfleet/internal/simulator"
)

// stubOrder is what the stubs know of one bare instance: its rounds and how far it got.
type stubOrder struct {
	rounds []readyTask
	taskID []string
	next   int // the round load-fulfillment-plan hands out next
}

// stubFleet answers every job of the happy path the way the real handlers do, without the OMS:
// the same variables, the same job types, the same worker settings (32 jobs held, 8 handlers),
// and an asynchronous partner that answers after the simulator's default delay.
type stubFleet struct {
	engine  zbc.Client
	mu      sync.Mutex
	orders  map[string]*stubOrder
	workers []worker.JobWorker
	errs    chan error
}

func newStubFleet(engine zbc.Client) *stubFleet {
	s := &stubFleet{engine: engine, orders: map[string]*stubOrder{}, errs: make(chan error, 16)}
	handlers := map[string]func(entities.Job, map[string]any) (map[string]any, error){
		fulfillment.JobLoadFulfillmentPlan: s.loadPlan,
		fulfillment.JobExecuteTask:         func(entities.Job, map[string]any) (map[string]any, error) { return nil, nil },
		fulfillment.JobSubmitExternalTask:  s.submit,
		fulfillment.JobApplyExternalResult: func(entities.Job, map[string]any) (map[string]any, error) {
			return map[string]any{"taskOutcome": "COMPLETED"}, nil
		},
		fulfillment.JobApplyInstalledBase: func(entities.Job, map[string]any) (map[string]any, error) {
			return map[string]any{"installedBaseApplied": true}, nil
		},
		fulfillment.JobFinalizeFulfillment: func(entities.Job, map[string]any) (map[string]any, error) {
			return map[string]any{"orderStatus": "COMPLETED"}, nil
		},
	}
	for jobType, h := range handlers {
		s.workers = append(s.workers, engine.NewJobWorker().JobType(jobType).Handler(s.handle(h)).
			MaxJobsActive(32).Concurrency(8).PollInterval(100*time.Millisecond).RequestTimeout(10*time.Second).
			FetchVariables("schemaVersion", "tenantId", "orderId", "fulfillmentPlanId", "correlationId", "currentTaskId").Open())
	}
	return s
}

func (s *stubFleet) close() {
	for _, w := range s.workers {
		w.Close()
		w.AwaitClose()
	}
}

// add registers an order before its instance is created, so its first job finds it.
func (s *stubFleet) add(orderID string, rounds []readyTask) {
	o := &stubOrder{rounds: rounds}
	for range rounds {
		o.taskID = append(o.taskID, domain.NewUUID())
	}
	s.mu.Lock()
	s.orders[orderID] = o
	s.mu.Unlock()
}

func (s *stubFleet) handle(h func(entities.Job, map[string]any) (map[string]any, error)) worker.JobHandler {
	return func(client worker.JobClient, job entities.Job) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		vars, err := job.GetVariablesAsMap()
		if err == nil {
			var out map[string]any
			if out, err = h(job, vars); err == nil {
				cmd := client.NewCompleteJobCommand().JobKey(job.Key)
				if out == nil {
					_, err = cmd.Send(ctx)
				} else if withVars, verr := cmd.VariablesFromMap(out); verr != nil {
					err = verr
				} else {
					_, err = withVars.Send(ctx)
				}
			}
		}
		if err != nil {
			select {
			case s.errs <- fmt.Errorf("stub %s job %d: %w", job.Type, job.Key, err):
			default:
			}
		}
	}
}

// loadPlan returns the next round's ready task, then allRequiredTasksDone, with every variable
// the real load-fulfillment-plan sets.
func (s *stubFleet) loadPlan(_ entities.Job, vars map[string]any) (map[string]any, error) {
	orderID, _ := vars["orderId"].(string)
	s.mu.Lock()
	o := s.orders[orderID]
	var round int
	if o != nil {
		round = o.next
		o.next++
	}
	s.mu.Unlock()
	if o == nil {
		return nil, fmt.Errorf("order %q is not one of the stubs' orders", orderID)
	}
	ready, ids := []map[string]any{}, []string{}
	if round < len(o.rounds) {
		r := o.rounds[round]
		ready = append(ready, map[string]any{"taskId": o.taskID[round], "mode": string(r.Mode), "timeout": r.Timeout, "resultMessage": r.ResultMessage})
		ids = append(ids, o.taskID[round])
	}
	return map[string]any{
		"planValid": true, "duplicateInstance": false, "executionId": domain.NewUUID(), "orderVersion": 1,
		"readyTaskIds": ids, "moreReadyTasks": false, "allRequiredTasksDone": round >= len(o.rounds),
		"planStuck": false, "falloutReason": nil, "readyTasks": ready, "orderSuspended": false, "failedTaskId": nil,
	}, nil
}

// submit accepts the request (taskSettled false) and has the partner's result published as the
// correlation router would, after the simulator's default asynchronous delay.
func (s *stubFleet) submit(_ entities.Job, vars map[string]any) (map[string]any, error) {
	tenantID, _ := vars["tenantId"].(string)
	orderID, _ := vars["orderId"].(string)
	taskID, _ := vars["currentTaskId"].(string)
	s.mu.Lock()
	o := s.orders[orderID]
	s.mu.Unlock()
	if o == nil || o.next == 0 {
		return nil, fmt.Errorf("order %q has no round in progress", orderID)
	}
	message := o.rounds[o.next-1].ResultMessage
	time.AfterFunc(simulator.DefaultAsyncDelay, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		// TTL 0: the wait state is open once the submit job's completion has been answered.
		cmd, err := s.engine.NewPublishMessageCommand().MessageName(message).CorrelationKey(tenantID + ":" + orderID + ":" + taskID).
			MessageId(domain.NewUUID()).TimeToLive(0).VariablesFromMap(map[string]any{"externalResultEventId": domain.NewUUID(), "externalOutcome": "COMPLETED"})
		if err == nil {
			_, err = cmd.Send(ctx)
		}
		if err != nil {
			select {
			case s.errs <- fmt.Errorf("stub partner result for order %s: %w", orderID, err):
			default:
			}
		}
	})
	return map[string]any{"taskSettled": false}, nil
}
