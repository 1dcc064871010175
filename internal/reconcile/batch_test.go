package reconcile_test

import (
	"context"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap/zaptest"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/engineapi"
	"github.com/orderfleet/orderfleet/internal/reconcile"
)

// countingEngine is an in-memory engine side that counts how often a pass asks it.
type countingEngine struct {
	mu        sync.Mutex
	instances map[int64]engineapi.ProcessInstance
	byOrderID map[string][]int64
	calls     map[string]int
}

func (e *countingEngine) count(name string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls[name]++
}

func (e *countingEngine) ProcessInstancesByKeys(_ context.Context, keys []int64) (map[int64]engineapi.ProcessInstance, error) {
	e.count("ProcessInstancesByKeys")
	out := map[int64]engineapi.ProcessInstance{}
	for _, k := range keys {
		if pi, ok := e.instances[k]; ok {
			out[k] = pi
		}
	}
	return out, nil
}

func (e *countingEngine) InstancesWithVariableValues(_ context.Context, name string, values []any) (map[string][]int64, error) {
	e.count("InstancesWithVariableValues")
	out := map[string][]int64{}
	for _, v := range values {
		text, _ := engineapi.JSONText(v)
		out[text] = e.byOrderID[v.(string)]
	}
	return out, nil
}

func (e *countingEngine) ActiveElements(context.Context, int64) ([]string, error) {
	e.count("ActiveElements")
	return []string{"NeverWorked"}, nil
}

// A pass asks the engine for all orders' instances in one search each, not once per order, and
// still judges each order by its own instances: recorded, found by orderId only, or unknown.
func TestOrderCheckBatchesItsEngineLookups(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	engine := &countingEngine{instances: map[int64]engineapi.ProcessInstance{}, byOrderID: map[string][]int64{}, calls: map[string]int{}}
	var live []string
	for i := range 5 {
		o := f.capture(f.tenant)
		key := int64(1000 + i)
		f.recordStarted(o, key)
		engine.instances[key] = engineapi.ProcessInstance{Key: engineapi.Key(key), State: engineapi.StateActive}
		live = append(live, o.OrderID)
	}
	// Its relay crashed before storing the key: only the orderId variable finds the instance.
	unrecorded := f.capture(f.tenant)
	f.ageStartRequest(unrecorded)
	engine.byOrderID[unrecorded.OrderID] = []int64{2000}
	engine.instances[2000] = engineapi.ProcessInstance{Key: 2000, State: engineapi.StateActive, HasIncident: true}
	terminated := f.capture(f.tenant)
	f.recordStarted(terminated, 3000)
	engine.instances[3000] = engineapi.ProcessInstance{Key: 3000, State: engineapi.StateTerminated}
	unknown := f.capture(f.tenant)
	f.recordStarted(unknown, 4000)

	rec := reconcile.New(testConfig(f.tenant), f.db, engine, zaptest.NewLogger(t), prometheus.NewRegistry())
	if _, err := rec.Pass(f.ctx); err != nil {
		t.Fatal(err)
	}
	if engine.calls["ProcessInstancesByKeys"] != 1 || engine.calls["InstancesWithVariableValues"] != 1 {
		t.Errorf("engine calls in one pass of 8 orders = %v, want one search of each kind", engine.calls)
	}
	for _, id := range append(live, unrecorded.OrderID) {
		if _, found := f.lookup(domain.DivergenceOrderWithoutProcess, id); found {
			t.Errorf("order %s has a running instance but was reported", id)
		}
	}
	if got := f.open(domain.DivergenceOrderWithoutProcess, terminated.OrderID); got.ProcessInstanceKey != "3000" {
		t.Errorf("terminated: %+v", got)
	}
	f.open(domain.DivergenceOrderWithoutProcess, unknown.OrderID)
}
