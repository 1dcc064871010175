package worker_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/engineapi"
	"github.com/orderfleet/orderfleet/internal/enginetest"
	"github.com/orderfleet/orderfleet/internal/worker"
	"github.com/orderfleet/orderfleet/internal/zeebe"
)

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// oneTaskProcess is a process with a single service task of the given job type.
func oneTaskProcess(id, jobType string) []byte {
	return []byte(fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">
  <bpmn:process id="%s" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:serviceTask id="work"><bpmn:extensionElements><zeebe:taskDefinition type="%s" retries="3" /></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:serviceTask>
    <bpmn:endEvent id="e"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="work" />
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>`, id, jobType))
}

// runLongJob runs one job whose handler works three times longer than the job timeout and reports
// how often the handler was invoked; with a working extender the engine never hands the job out again.
func runLongJob(t *testing.T, extender worker.Extender, mustFinish bool) int32 {
	t.Helper()
	enginetest.SteadyClock(t) // a 3 s job timeout cannot survive another suite's clock jump
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	client, err := zeebe.Dial(ctx, envOr("ORDERFLEET_ZEEBE_ADDRESS", "127.0.0.1:26500"))
	if err != nil {
		t.Fatalf("engine: %v (run `make stack-up`)", err)
	}
	defer client.Close()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	suffix := hex.EncodeToString(b)
	processID, jobType := "worker-extend-test-"+suffix, "worker-extend-test-"+suffix
	if _, err := zeebe.Deploy(ctx, client, zeebe.Resource{Name: processID + ".bpmn", Content: oneTaskProcess(processID, jobType)}); err != nil {
		t.Fatal(err)
	}
	var calls, completed atomic.Int32
	done := make(chan struct{})
	handler := func(ctx context.Context, job *worker.Job) (worker.Result, error) {
		calls.Add(1)
		select {
		case <-time.After(9 * time.Second):
		case <-ctx.Done():
			return worker.Result{}, ctx.Err()
		}
		if completed.Add(1) == 1 {
			close(done)
		}
		return worker.Result{}, nil
	}
	h, err := worker.New(worker.Config{MaxJobsActive: 4, Concurrency: 4, JobTimeout: 3 * time.Second,
		RequestTimeout: time.Second, Extender: extender}, client, zap.NewNop(), prometheus.NewRegistry(),
		worker.Registration{JobType: jobType, Handler: handler})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	stopped := make(chan struct{})
	go func() { _ = h.Run(runCtx); close(stopped) }()
	cmd, err := client.NewCreateInstanceCommand().BPMNProcessId(processID).LatestVersion().VariablesFromMap(map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cmd.Send(ctx); err != nil {
		t.Fatal(err)
	}
	wait := 10 * time.Second // the control only needs one timeout and one re-activation
	if mustFinish {
		wait = 20 * time.Second
	}
	select {
	case <-done:
	case <-time.After(wait):
		if mustFinish {
			t.Fatal("the long job never finished")
		}
	}
	time.Sleep(2 * time.Second) // let a re-activated copy, if any, reach the handler
	stop()
	<-stopped
	return calls.Load()
}

func TestLongJobKeepsItsJobWhileTheHarnessExtendsTheTimeout(t *testing.T) {
	extender := engineapi.NewJobs(engineapi.New(envOr("ORDERFLEET_ZEEBE_REST_URL", "http://127.0.0.1:8080"), nil))
	if calls := runLongJob(t, extender, true); calls != 1 {
		t.Fatalf("handler ran %d times; with the timeout extended the job must run once", calls)
	}
}

// The control: without extension the handler's context ends with the 3 s job timeout and the
// engine hands the job out again, so the test above would catch an extender that does nothing.
func TestLongJobIsHandedOutAgainWithoutExtension(t *testing.T) {
	if calls := runLongJob(t, nil, false); calls < 2 {
		t.Fatalf("handler ran %d times; a 9 s handler on a 3 s job timeout should be re-activated", calls)
	}
}
