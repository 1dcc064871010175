package worker_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/enginetest"
	"github.com/orderfleet/orderfleet/internal/worker"
	"github.com/orderfleet/orderfleet/internal/zeebe"
)

// TestDrainHandsBackUnstartedJobs: a worker holding more jobs than it runs is stopped. It finishes
// the job in hand and returns the others at once, so a second worker gets them long before the
// first worker's 60 s job timeout would have released them.
func TestDrainHandsBackUnstartedJobs(t *testing.T) {
	enginetest.SteadyClock(t) // a clock jump would release the held jobs by timeout and hide a missing hand-back
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	client, err := zeebe.Dial(ctx, envOr("ORDERFLEET_ZEEBE_ADDRESS", "127.0.0.1:26500"))
	if err != nil {
		t.Fatalf("engine: %v (run `make stack-up`)", err)
	}
	defer client.Close()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	id := "worker-drain-test-" + hex.EncodeToString(b)
	if _, err := zeebe.Deploy(ctx, client, zeebe.Resource{Name: id + ".bpmn", Content: oneTaskProcess(id, id)}); err != nil {
		t.Fatal(err)
	}
	const instances = 4
	for i := 0; i < instances; i++ {
		cmd, err := client.NewCreateInstanceCommand().BPMNProcessId(id).LatestVersion().VariablesFromMap(map[string]any{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cmd.Send(ctx); err != nil {
			t.Fatal(err)
		}
	}

	var firstStarted, firstDone, secondDone atomic.Int32
	started := make(chan struct{}, instances)
	slow := func(ctx context.Context, job *worker.Job) (worker.Result, error) {
		firstStarted.Add(1)
		started <- struct{}{}
		time.Sleep(2 * time.Second) // the job in hand finishes during the drain
		firstDone.Add(1)
		return worker.Result{}, nil
	}
	first, err := worker.New(worker.Config{MaxJobsActive: instances, Concurrency: 1, JobTimeout: time.Minute,
		RequestTimeout: 2 * time.Second, DrainTimeout: 10 * time.Second}, client, zap.NewNop(), prometheus.NewRegistry(),
		worker.Registration{JobType: id, Handler: slow})
	if err != nil {
		t.Fatal(err)
	}
	firstCtx, stopFirst := context.WithCancel(ctx)
	firstStopped := make(chan error, 1)
	go func() { firstStopped <- first.Run(firstCtx) }()
	select {
	case <-started:
	case <-ctx.Done():
		t.Fatal("the first worker never started a job")
	}
	time.Sleep(500 * time.Millisecond) // let the activation land all jobs in its queue
	stopFirst()
	if err := <-firstStopped; err != nil {
		t.Fatalf("drain: %v", err)
	}
	if firstDone.Load() != firstStarted.Load() {
		t.Fatalf("the first worker started %d jobs but finished %d: the job in hand must finish", firstStarted.Load(), firstDone.Load())
	}

	quick := func(ctx context.Context, job *worker.Job) (worker.Result, error) {
		secondDone.Add(1)
		return worker.Result{}, nil
	}
	second, err := worker.New(worker.Config{MaxJobsActive: instances, Concurrency: instances, RequestTimeout: 2 * time.Second},
		client, zap.NewNop(), prometheus.NewRegistry(), worker.Registration{JobType: id, Handler: quick})
	if err != nil {
		t.Fatal(err)
	}
	secondCtx, stopSecond := context.WithCancel(ctx)
	defer stopSecond()
	go func() { _ = second.Run(secondCtx) }()
	want := int32(instances) - firstDone.Load()
	deadline := time.Now().Add(15 * time.Second)
	for secondDone.Load() < want && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if got := secondDone.Load(); got != want || want == 0 {
		t.Fatalf("the second worker ran %d of the %d handed-back jobs within 15 s (first worker's timeout is 60 s)", got, want)
	}
}
