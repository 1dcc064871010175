package conformance

// CRASH SAFETY. These tests SIGKILL engine processes they start themselves, each on its own
// database (never the shared engine). They run in the sequential phase (no t.Parallel) and take
// up to a minute. ENGINE_CRASH_INSTANCES overrides the 1,000 instances.

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/camunda/zeebe/clients/go/v8/pkg/pb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/credentials/insecure"
)

// gatewayTo dials an engine with a short reconnect back-off, so a restarted engine is found fast.
func gatewayTo(t testing.TB, p *engineProc) pb.GatewayClient {
	t.Helper()
	conn, err := grpc.NewClient(p.grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithConnectParams(grpc.ConnectParams{Backoff: backoff.Config{BaseDelay: 50 * time.Millisecond, Multiplier: 1.2, MaxDelay: 300 * time.Millisecond}, MinConnectTimeout: time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return pb.NewGatewayClient(conn)
}

// ledger records what the workers saw: every activation with its deadline, and every
// acknowledged completion.
type ledger struct {
	mu          sync.Mutex
	liveUntil   map[int64]int64 // job key → deadline (engine epoch ms) of its last activation
	acked       map[int64]bool
	violations  []string
	activations atomic.Int64
	completes   atomic.Int64
}

func newLedger() *ledger { return &ledger{liveUntil: map[int64]int64{}, acked: map[int64]bool{}} }

// activated checks the job is not acknowledged-complete and not held by a live activation.
// activatedAt is the engine time of this activation: its deadline minus the requested timeout.
func (l *ledger) activated(j *pb.ActivatedJob, timeout time.Duration) {
	l.activations.Add(1)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.acked[j.Key] {
		l.violations = append(l.violations, fmt.Sprintf("job %d activated again after its CompleteJob was acknowledged", j.Key))
	}
	activatedAt := j.Deadline - timeout.Milliseconds()
	if prev, ok := l.liveUntil[j.Key]; ok && activatedAt < prev-100 {
		l.violations = append(l.violations, fmt.Sprintf("job %d activated at %d while its previous activation was live until %d", j.Key, activatedAt, prev))
	}
	l.liveUntil[j.Key] = j.Deadline
}

func (l *ledger) completed(key int64) {
	l.completes.Add(1)
	l.mu.Lock()
	if l.acked[key] {
		l.violations = append(l.violations, fmt.Sprintf("job %d: CompleteJob acknowledged twice", key))
	}
	l.acked[key] = true
	l.mu.Unlock()
}

// runLineWorkers starts one worker loop per job type; it stops when ctx ends.
func runLineWorkers(ctx context.Context, client pb.GatewayClient, typePrefix string, tasks int, timeout time.Duration, l *ledger) *sync.WaitGroup {
	var wg sync.WaitGroup
	for i := 1; i <= tasks; i++ {
		jobType := fmt.Sprintf("%s-%d", typePrefix, i)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				stream, err := client.ActivateJobs(ctx, &pb.ActivateJobsRequest{Type: jobType, Worker: "crash", Timeout: timeout.Milliseconds(), MaxJobsToActivate: 32, RequestTimeout: 1000})
				if err != nil {
					time.Sleep(50 * time.Millisecond)
					continue
				}
				for {
					resp, err := stream.Recv()
					if err != nil {
						break
					}
					for _, j := range resp.Jobs {
						l.activated(j, timeout)
						cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
						_, err := client.CompleteJob(cctx, &pb.CompleteJobRequest{JobKey: j.Key, Variables: "{}"})
						cancel()
						if err == nil {
							l.completed(j.Key)
						}
					}
				}
			}
		}()
	}
	return &wg
}

// TestCrashSafetyUnderKill9: instances of a 9-task line survive three SIGKILLs of the engine.
// docs: components/concepts/job-workers (job timeout; a job is handed to one worker at a time)
func TestCrashSafetyUnderKill9(t *testing.T) {
	instances := 1000
	if v, err := strconv.Atoi(os.Getenv("ENGINE_CRASH_INSTANCES")); err == nil && v > 0 {
		instances = v
	}
	dbURL, drop, err := createDatabase("crash")
	if err != nil {
		t.Fatalf("database: %v", err)
	}
	t.Cleanup(drop)
	p := startEngine(t, dbURL)
	client := gatewayTo(t, p)
	pid, types := uniq("crash-line"), uniq("crash")
	if _, err := client.DeployResource(ctxT(t), &pb.DeployResourceRequest{Resources: []*pb.Resource{{Name: "line.bpmn", Content: []byte(taskLine(pid, types, 9))}}}); err != nil {
		t.Fatalf("deploy: %v", err)
	}

	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	l := newLedger()
	const jobTimeout = 4 * time.Second
	workers := runLineWorkers(ctx, client, types, 9, jobTimeout, l)

	// Creators retry through the outages; only acknowledged creations are counted.
	var created sync.Map
	var createdN atomic.Int64
	var next atomic.Int64
	var creators sync.WaitGroup
	for range 6 {
		creators.Add(1)
		go func() {
			defer creators.Done()
			for next.Add(1) <= int64(instances) {
				for ctx.Err() == nil {
					cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
					resp, err := client.CreateProcessInstance(cctx, &pb.CreateProcessInstanceRequest{BpmnProcessId: pid, Version: -1, Variables: "{}"})
					cancel()
					if err == nil {
						created.Store(resp.ProcessInstanceKey, true)
						createdN.Add(1)
						break
					}
					time.Sleep(50 * time.Millisecond)
				}
			}
		}()
	}

	for kill := 1; kill <= 3; kill++ {
		time.Sleep(time.Duration(400+rand.IntN(1600)) * time.Millisecond)
		t.Logf("kill -9 #%d: %d created, %d activations, %d completes acknowledged", kill, createdN.Load(), l.activations.Load(), l.completes.Load())
		p.kill()
		q, err := p.relaunch(fmt.Sprintf("crash-restart-%d", kill))
		if err != nil {
			t.Fatalf("restart #%d: %v", kill, err)
		}
		p = q
		t.Cleanup(q.kill)
	}
	creators.Wait()

	deadline := time.Now().Add(90 * time.Second)
	for {
		_, active := searchOn[instanceItem](t, p, "/v2/process-instances/search", map[string]any{"processDefinitionId": pid, "state": "ACTIVE"}, 1)
		_, done := searchOn[instanceItem](t, p, "/v2/process-instances/search", map[string]any{"processDefinitionId": pid, "state": "COMPLETED"}, 1)
		if active == 0 && done >= int(createdN.Load()) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 90s: %d ACTIVE, %d COMPLETED, %d creations acknowledged", active, done, createdN.Load())
		}
		time.Sleep(200 * time.Millisecond)
	}
	stop()
	workers.Wait()

	missing := 0
	created.Range(func(k, _ any) bool {
		if it, ok := getInstanceOn(t, p, k.(int64)); !ok || it.State != "COMPLETED" {
			missing++
		}
		return true
	})
	if missing > 0 {
		t.Errorf("%d acknowledged instances are not COMPLETED", missing)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, v := range l.violations {
		if i == 10 {
			t.Errorf("… %d violations in all", len(l.violations))
			break
		}
		t.Error(v)
	}
	_, total := searchOn[instanceItem](t, p, "/v2/process-instances/search", map[string]any{"processDefinitionId": pid}, 1)
	// A create whose answer the crash swallowed is retried, so the engine may hold a few more.
	t.Logf("%d creations acknowledged, %d instances in the engine, %d activations, %d completes acknowledged (%d jobs), 3 kills",
		createdN.Load(), total, l.activations.Load(), l.completes.Load(), len(l.acked))
	// A complete whose answer the crash swallowed is not counted, so fewer is fine; more is not.
	if len(l.acked) > total*9 {
		t.Errorf("%d jobs completed with an acknowledgement, more than the %d jobs of %d instances", len(l.acked), total*9, total)
	}
}

func getInstanceOn(t testing.TB, p *engineProc, key int64) (instanceItem, bool) {
	t.Helper()
	var it instanceItem
	err := doJSON("GET", fmt.Sprintf("http://%s/v2/process-instances/%d", p.httpAddr, key), nil, &it)
	return it, err == nil
}

// TestStandbyTakesOverTimers: two engines on one database; the leader is killed; a timer that
// comes due afterwards fires through the standby.
// docs: components/modeler/bpmn/timer-events (a timer fires once it is due)
func TestStandbyTakesOverTimers(t *testing.T) {
	dbURL, drop, err := createDatabase("standby")
	if err != nil {
		t.Fatalf("database: %v", err)
	}
	t.Cleanup(drop)
	leader := startEngine(t, dbURL)
	// The engine logs when it takes the leader lock; wait for it so the kill hits the leader.
	const leads = "this engine leads"
	eventually(t, 5*time.Second, "the first engine logs that it leads ("+leads+")", func() bool { return strings.Contains(readFile(leader.logPath), leads) })
	standby := startEngine(t, dbURL)
	client := gatewayTo(t, standby)
	pid, after := uniq("standby-timer"), uniq("standby-after")
	if _, err := client.DeployResource(ctxT(t), &pb.DeployResourceRequest{Resources: []*pb.Resource{{Name: "timer.bpmn", Content: []byte(timerThenTask(pid, "timeDuration", "PT10M", after))}}}); err != nil {
		t.Fatalf("deploy: %v", err)
	}
	resp, err := client.CreateProcessInstance(ctxT(t), &pb.CreateProcessInstanceRequest{BpmnProcessId: pid, Version: -1})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	leader.kill()
	clockAddOn(t, standby, 11*time.Minute)
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		stream, err := client.ActivateJobs(ctx, &pb.ActivateJobsRequest{Type: after, Worker: "standby", Timeout: 60000, MaxJobsToActivate: 1, RequestTimeout: 1000})
		if err == nil {
			for {
				r, err := stream.Recv()
				if err != nil {
					break
				}
				for _, j := range r.Jobs {
					cancel()
					if j.ProcessInstanceKey != resp.ProcessInstanceKey {
						t.Fatalf("job of %d, want %d", j.ProcessInstanceKey, resp.ProcessInstanceKey)
					}
					if !strings.Contains(readFile(standby.logPath), leads) {
						t.Errorf("the timer fired but the standby never logged that it leads")
					}
					return
				}
			}
		}
		cancel()
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the timer did not fire within 15s of the leader's death (standby log %s)", standby.logPath)
}

func readFile(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}
