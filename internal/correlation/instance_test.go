package correlation_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/camunda/zeebe/clients/go/v8/pkg/zbc"
)

// waitingInstance is an instance of the test process: it holds at a service task (the gate) until
// the test completes that job, and only then opens its message subscription.
type waitingInstance struct {
	jobType string
	done    chan instanceResult
}

type instanceResult struct {
	vars map[string]any
	err  error
}

const testProcessID = "orderfleet-router-test-wait"

// startWaiting creates the instance and keeps a with-result call open until it completes.
func startWaiting(t *testing.T, engine zbc.Client, messageName, correlationKey string) *waitingInstance {
	t.Helper()
	w := &waitingInstance{jobType: "router-test-gate-" + randomSuffix(), done: make(chan instanceResult, 1)}
	cmd, err := engine.NewCreateInstanceCommand().BPMNProcessId(testProcessID).LatestVersion().VariablesFromMap(map[string]any{
		"jobType": w.jobType, "messageName": messageName, "correlationKey": correlationKey,
	})
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
		defer cancel()
		resp, err := cmd.WithResult().Send(ctx)
		if err != nil {
			w.done <- instanceResult{err: err}
			return
		}
		var vars map[string]any
		err = json.Unmarshal([]byte(resp.GetVariables()), &vars)
		w.done <- instanceResult{vars: vars, err: err}
	}()
	return w
}

// openGate completes the gate job, so the instance moves on to its message catch.
func (w *waitingInstance) openGate(t *testing.T, engine zbc.Client) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		jobs, err := engine.NewActivateJobsCommand().JobType(w.jobType).MaxJobsToActivate(1).Timeout(time.Minute).Send(ctx)
		cancel()
		if err != nil || len(jobs) == 0 {
			continue
		}
		ctx, cancel = context.WithTimeout(context.Background(), 10*time.Second)
		_, err = engine.NewCompleteJobCommand().JobKey(jobs[0].GetKey()).Send(ctx)
		cancel()
		if err != nil {
			t.Fatalf("complete gate job: %v", err)
		}
		return
	}
	t.Fatalf("gate job %s never became available", w.jobType)
}

// completed waits for the instance to reach its end and returns its variables.
func (w *waitingInstance) completed(t *testing.T, within time.Duration) map[string]any {
	t.Helper()
	select {
	case r := <-w.done:
		if r.err != nil {
			t.Fatalf("instance did not complete: %v", r.err)
		}
		return r.vars
	case <-time.After(within):
		t.Fatalf("instance did not complete within %s", within)
		return nil
	}
}
