package fulfillment_test

import (
	"context"
	"errors"
	"strings"
	"sync"

	"github.com/orderfleet/orderfleet/internal/adapter"
)

// answer decides how a fake system answers one request that performs its effect.
type answer func(req adapter.Request) (adapter.Response, error)

// fakeSystems plays every external system. Like a real partner, it performs a request's effect
// once per idempotency key and replays the first answer to a repeated key, and it counts both, so
// a test can prove that a worker never caused a second effect.
type fakeSystems struct {
	mu      sync.Mutex
	calls   map[string]int // requests per idempotency key
	effects map[string]int // side effects per idempotency key
	first   map[string]adapter.Response
	byOp    map[string]answer // by operation (task type); default: COMPLETED
	// afterEffect runs once an effect happened, before the answer returns (e.g. to lose the database).
	afterEffect func(req adapter.Request)
}

func newFakeSystems() *fakeSystems {
	return &fakeSystems{calls: map[string]int{}, effects: map[string]int{}, first: map[string]adapter.Response{}, byOp: map[string]answer{}}
}

func (f *fakeSystems) answer(operation string, a answer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.byOp[operation] = a
}

func (f *fakeSystems) Call(ctx context.Context, req adapter.Request) (adapter.Response, error) {
	f.mu.Lock()
	f.calls[req.IdempotencyKey]++
	if resp, ok := f.first[req.IdempotencyKey]; ok {
		f.mu.Unlock()
		resp.Replayed = true
		return resp, nil
	}
	a := f.byOp[req.Operation]
	if a == nil {
		a = completed
	}
	resp, err := a(req)
	if err == nil {
		f.effects[req.IdempotencyKey]++
		f.first[req.IdempotencyKey] = resp
	}
	hook := f.afterEffect
	f.mu.Unlock()
	if err == nil && hook != nil {
		hook(req)
	}
	return resp, err
}

// totalCalls counts every request, whatever its key: a stray call cannot hide behind a wrong key.
func (f *fakeSystems) totalCalls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		n += c
	}
	return n
}

// callsFor and effectsFor sum over the keys of one task (its attempts and compensations).
func (f *fakeSystems) callsFor(taskID string) int   { return f.sum(f.calls, taskID) }
func (f *fakeSystems) effectsFor(taskID string) int { return f.sum(f.effects, taskID) }

func (f *fakeSystems) sum(m map[string]int, taskID string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for key, c := range m {
		if strings.Contains(key, ":"+taskID+":") {
			n += c
		}
	}
	return n
}

func (f *fakeSystems) keysFor(taskID string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var keys []string
	for key := range f.calls {
		if strings.Contains(key, ":"+taskID+":") {
			keys = append(keys, key)
		}
	}
	return keys
}

func externalID(req adapter.Request) string {
	return "ext-" + req.TaskID[:8] + "-" + req.IdempotencyKey[strings.LastIndex(req.IdempotencyKey, ":")+1:]
}

func completed(req adapter.Request) (adapter.Response, error) {
	return adapter.Response{Outcome: adapter.OutcomeCompleted, ExternalCorrelationID: externalID(req), ResponseHash: "sha256:done"}, nil
}

func accepted(req adapter.Request) (adapter.Response, error) {
	return adapter.Response{Outcome: adapter.OutcomeAccepted, ExternalCorrelationID: externalID(req), ResponseHash: "sha256:accepted"}, nil
}

func rejected(code string) answer {
	return func(req adapter.Request) (adapter.Response, error) {
		return adapter.Response{Outcome: adapter.OutcomeRejected, ReasonCode: code, Reason: "refused by the fake " + req.ExternalSystem}, nil
	}
}

// unavailable fails transiently n times (no effect), then answers with next.
func unavailable(n int, next answer) answer {
	left := n
	return func(req adapter.Request) (adapter.Response, error) {
		if left > 0 {
			left--
			return adapter.Response{}, &adapter.CallError{Kind: adapter.Transient, System: req.ExternalSystem, Operation: req.Operation,
				StatusCode: 503, Err: errors.New("partner unavailable")}
		}
		return next(req)
	}
}
