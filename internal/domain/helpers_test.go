package domain

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 7, 2, 5, 0, 0, 0, time.UTC)

func testCause(reason string) Cause {
	return Cause{Actor: Actor{Type: ActorWorker, ID: "test-worker"}, ReasonCode: reason, Reason: reason, CorrelationID: "corr-1", At: t0}
}

func mustCatalog(t testing.TB) *Catalog {
	t.Helper()
	c, err := LoadCatalog()
	if err != nil {
		t.Fatalf("LoadCatalog: %v", err)
	}
	return c
}

// assetBook is an in-memory installed base for decomposition tests.
type assetBook map[string]Asset

func (b assetBook) LookupAsset(tenantID, id string) (Asset, bool, error) {
	a, ok := b[id]
	if !ok || a.TenantID != tenantID {
		return Asset{}, false, nil
	}
	return a, true, nil
}

func mustOrder(t testing.TB, ids IDGenerator, policy CompletionPolicy, items ...ItemInput) *Order {
	t.Helper()
	o, err := NewOrder(NewOrderInput{TenantID: "tenant-a", CustomerID: "cust-1", CompletionPolicy: policy, Items: items}, ids, testCause("CAPTURE"))
	if err != nil {
		t.Fatalf("NewOrder: %v", err)
	}
	return o
}

func bundleAdd(line int) ItemInput {
	return ItemInput{LineNo: line, ProductCode: "BROADBAND_BUNDLE", Action: ActionAdd, Location: "1 Main St", Attributes: map[string]string{"downloadMbps": "500"}}
}

// preparedPlan captures, validates and decomposes an order and returns both.
func preparedPlan(t testing.TB, assets AssetLookup, policy CompletionPolicy, items ...ItemInput) (*Order, *Plan) {
	t.Helper()
	ids := SequentialIDs(1)
	o := mustOrder(t, ids, policy, items...)
	p, _, err := PrepareFulfillment(o, mustCatalog(t), assets, ids, testCause("PREPARE"))
	if err != nil {
		t.Fatalf("PrepareFulfillment: %v", err)
	}
	return o, p
}

// taskByKey finds the task of a plan built from the given template key.
func taskByKey(t testing.TB, p *Plan, key string) *Task {
	t.Helper()
	for _, task := range p.Tasks {
		if task.Key == key {
			return task
		}
	}
	t.Fatalf("plan has no task %q", key)
	return nil
}

// runTask starts and completes a task, failing the test on any error.
func runTask(t testing.TB, p *Plan, id string) Progress {
	t.Helper()
	if _, err := p.StartTask(id, AttemptRequest{}, testCause("RUN")); err != nil {
		t.Fatalf("StartTask(%s): %v", id, err)
	}
	pr, err := p.CompleteTask(id, TaskResult{ResponseHash: "sha256:r"}, testCause("RUN"))
	if err != nil {
		t.Fatalf("CompleteTask(%s): %v", id, err)
	}
	return pr
}

// runAllReady completes ready tasks until none are left.
func runAllReady(t testing.TB, p *Plan) {
	t.Helper()
	for i := 0; i < 1000; i++ {
		ready := p.ReadyTaskIDs()
		if len(ready) == 0 {
			return
		}
		for _, id := range ready {
			runTask(t, p, id)
		}
	}
	t.Fatal("plan did not settle")
}

func eventTypes(evs []Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.EventType
	}
	return out
}

func hasEvent(evs []Event, typ string) bool {
	for _, e := range evs {
		if e.EventType == typ {
			return true
		}
	}
	return false
}

func justification(op string) Justification {
	return Justification{ReasonCode: "DOWNSTREAM_CONFIGURATION_FIXED", Reason: "config fixed by network team", EvidenceReference: "case-attachment-123", OperatorID: op}
}

// failTask starts a task and fails it with code.
func failTask(t testing.TB, p *Plan, id, code string) {
	t.Helper()
	if _, err := p.StartTask(id, AttemptRequest{}, testCause("RUN")); err != nil {
		t.Fatalf("StartTask(%s): %v", id, err)
	}
	if _, err := p.FailTask(id, TaskFailure{Code: code}, testCause("RUN")); err != nil {
		t.Fatalf("FailTask(%s): %v", id, err)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
