package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/orderfleet/orderfleet/internal/engine/runtime"
)

const oneTask = `<bpmn:startEvent id="start"/>
<bpmn:serviceTask id="work"><bpmn:extensionElements><zeebe:taskDefinition type="work" retries="2"/></bpmn:extensionElements></bpmn:serviceTask>
<bpmn:endEvent id="end"/>
<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
<bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end"/>`

func wantCode(t *testing.T, err error, want Code) {
	t.Helper()
	if err == nil {
		t.Fatalf("expected an error with code %d, got none", want)
	}
	if got := CodeOf(err); got != want {
		t.Fatalf("expected code %d, got %d (%v)", want, got, err)
	}
}

func deploy(t *testing.T, s *Store, name string, xml []byte) DeployedProcess {
	t.Helper()
	d, err := s.Deploy(context.Background(), []Resource{{Name: name, Content: xml}})
	if err != nil {
		t.Fatalf("deploy %s: %v", name, err)
	}
	return d.Processes[0]
}

func instanceState(t *testing.T, s *Store, key int64) string {
	t.Helper()
	var state string
	if err := s.pool.QueryRow(context.Background(), `SELECT state FROM process_instance WHERE key = $1`, key).Scan(&state); err != nil {
		t.Fatal(err)
	}
	return state
}

func activateOne(t *testing.T, s *Store, jobType string) ActivatedJob {
	t.Helper()
	jobs, err := s.ActivateJobs(context.Background(), ActivateRequest{Type: jobType, Worker: "w", Timeout: time.Minute, Max: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 {
		t.Fatalf("expected one %s job, got %d", jobType, len(jobs))
	}
	return jobs[0]
}

func TestKeysStartAtPartitionOneAndCrossBlocks(t *testing.T) {
	s := newTestStore(t, false, false)
	ctx := context.Background()
	first, err := s.NewKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if first != 2251799813685249 {
		t.Fatalf("first key = %d, want 2251799813685249", first)
	}
	prev := first
	for i := 0; i < 2*keyBlockSize; i++ {
		k, err := s.NewKey(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if k <= prev {
			t.Fatalf("key %d after %d is not increasing", k, prev)
		}
		prev = k
	}
	// A second allocator (another process) never hands out a key this one did.
	other := keyAllocator{pool: s.pool}
	k, err := other.newKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if k <= prev {
		t.Fatalf("second allocator's key %d is not past %d", k, prev)
	}
}

func TestMigrateIsIdempotent(t *testing.T) {
	pool := newTestDatabase(t)
	if err := Migrate(context.Background(), pool); err != nil {
		t.Fatalf("second migration: %v", err)
	}
	var n int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM engine_schema_version`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("engine_schema_version has %d rows, want 1", n)
	}
}

func TestClockIsControlledAndShared(t *testing.T) {
	ctx := context.Background()
	pool := newTestDatabase(t)
	fixed, err := New(ctx, Config{Pool: pool})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fixed.Clock().Add(ctx, time.Hour); !errors.Is(err, ErrClockNotControlled) {
		t.Fatalf("uncontrolled clock moved: %v", err)
	}
	a, _ := New(ctx, Config{Pool: pool, ClockControlled: true})
	pin := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	if _, err := a.Clock().Pin(ctx, pin); err != nil {
		t.Fatal(err)
	}
	if got, _ := a.Clock().Add(ctx, 90*time.Minute); !got.Equal(pin.Add(90 * time.Minute)) {
		t.Fatalf("after add: %v", got)
	}
	b, _ := New(ctx, Config{Pool: pool})
	if got := b.Clock().Now(); !got.Equal(pin.Add(90 * time.Minute)) {
		t.Fatalf("another process reads %v, want %v", got, pin.Add(90*time.Minute))
	}
	if _, err := a.Clock().Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(a.Clock().Now()); d > time.Second || d < -time.Second {
		t.Fatalf("reset clock is %v off the wall clock", d)
	}
}

func TestDeployVersionsAndRejections(t *testing.T) {
	s := newTestStore(t, false, false)
	ctx := context.Background()
	v1 := deploy(t, s, "p.bpmn", bpmnProcess("p", oneTask))
	if v1.Version != 1 || v1.BPMNProcessID != "p" || v1.ResourceName != "p.bpmn" {
		t.Fatalf("first deployment: %+v", v1)
	}
	again := deploy(t, s, "p.bpmn", bpmnProcess("p", oneTask))
	if again.Version != 1 || again.Key != v1.Key {
		t.Fatalf("unchanged redeploy made %+v, want version 1 key %d", again, v1.Key)
	}
	changed := deploy(t, s, "p.bpmn", bpmnProcess("p", strings.Replace(oneTask, `retries="2"`, `retries="3"`, 1)))
	if changed.Version != 2 || changed.Key == v1.Key {
		t.Fatalf("changed redeploy: %+v", changed)
	}
	_, err := s.Deploy(ctx, []Resource{{Name: "bad.bpmn", Content: bpmnProcess("bad", `<bpmn:startEvent id="s"/><bpmn:serviceTask id="x"/>`)}})
	wantCode(t, err, CodeInvalidArgument)
	if !strings.Contains(err.Error(), "bad.bpmn") {
		t.Fatalf("rejection does not name the resource: %v", err)
	}
	_, err = s.Deploy(ctx, []Resource{{Name: "d.dmn", Content: []byte("<definitions/>")}})
	wantCode(t, err, CodeUnimplemented)
}

func TestCreateInstanceRejections(t *testing.T) {
	s := newTestStore(t, false, false)
	ctx := context.Background()
	deploy(t, s, "p.bpmn", bpmnProcess("p", oneTask))
	_, err := s.CreateInstance(ctx, CreateInstanceRequest{BPMNProcessID: "p", Version: -1, Variables: `[1]`})
	wantCode(t, err, CodeInvalidArgument)
	_, err = s.CreateInstance(ctx, CreateInstanceRequest{BPMNProcessID: "nope", Version: -1})
	wantCode(t, err, CodeNotFound)
	_, err = s.CreateInstance(ctx, CreateInstanceRequest{BPMNProcessID: "p", Version: 7})
	wantCode(t, err, CodeNotFound)
	_, err = s.CreateInstance(ctx, CreateInstanceRequest{DefinitionKey: 12345})
	wantCode(t, err, CodeNotFound)
	msgOnly := `<bpmn:startEvent id="start"><bpmn:messageEventDefinition messageRef="msg"/></bpmn:startEvent><bpmn:endEvent id="end"/>
<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="end"/>`
	d, err := s.Deploy(ctx, []Resource{{Name: "m.bpmn", Content: []byte(strings.Replace(string(bpmnProcess("m", msgOnly)),
		"</bpmn:definitions>", `<bpmn:message id="msg" name="go"/></bpmn:definitions>`, 1))}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.CreateInstance(ctx, CreateInstanceRequest{DefinitionKey: d.Processes[0].Key})
	wantCode(t, err, CodeFailedPrecondition)
}

func TestJobLifecycleCompletesInstance(t *testing.T) {
	s := newTestStore(t, false, false)
	ctx := context.Background()
	p := deploy(t, s, "p.bpmn", bpmnProcess("p", oneTask))
	created, err := s.CreateInstance(ctx, CreateInstanceRequest{BPMNProcessID: "p", Version: -1, Variables: `{"orderId":"o-1","big":9007199254740993}`})
	if err != nil {
		t.Fatal(err)
	}
	if created.DefinitionKey != p.Key || created.Version != 1 {
		t.Fatalf("created: %+v", created)
	}
	job := activateOne(t, s, "work")
	if job.ProcessInstanceKey != created.InstanceKey || job.ElementID != "work" || job.Retries != 2 {
		t.Fatalf("activated job: %+v", job)
	}
	if !strings.Contains(job.Variables, `"big":9007199254740993`) || !strings.Contains(job.Variables, `"orderId":"o-1"`) {
		t.Fatalf("job variables lost precision or values: %s", job.Variables)
	}
	if jobs, _ := s.ActivateJobs(ctx, ActivateRequest{Type: "work", Worker: "w2", Timeout: time.Minute, Max: 10}); len(jobs) != 0 {
		t.Fatalf("an activated job was handed out twice")
	}
	if err := s.CompleteJob(ctx, job.Key, `{"done":true}`); err != nil {
		t.Fatal(err)
	}
	if st := instanceState(t, s, created.InstanceKey); st != "COMPLETED" {
		t.Fatalf("instance state %s, want COMPLETED", st)
	}
	wantCode(t, s.CompleteJob(ctx, job.Key, ""), CodeNotFound)
	wantCode(t, s.CompleteJob(ctx, 42, ""), CodeNotFound)
}

func TestFailToIncidentAndResolve(t *testing.T) {
	s := newTestStore(t, false, false)
	ctx := context.Background()
	deploy(t, s, "p.bpmn", bpmnProcess("p", oneTask))
	created, err := s.CreateInstance(ctx, CreateInstanceRequest{BPMNProcessID: "p", Version: -1})
	if err != nil {
		t.Fatal(err)
	}
	job := activateOne(t, s, "work")
	if err := s.FailJob(ctx, FailJobRequest{Key: job.Key, Retries: 1, ErrorMessage: "first"}); err != nil {
		t.Fatal(err)
	}
	job = activateOne(t, s, "work")
	if job.Retries != 1 {
		t.Fatalf("retries after fail = %d, want 1", job.Retries)
	}
	if err := s.FailJob(ctx, FailJobRequest{Key: job.Key, Retries: 0, ErrorMessage: "boom"}); err != nil {
		t.Fatal(err)
	}
	var incidentKey int64
	var incidentType, msg string
	if err := s.pool.QueryRow(ctx, `SELECT key, type, message FROM incident WHERE job_key = $1 AND state = 'ACTIVE'`, job.Key).
		Scan(&incidentKey, &incidentType, &msg); err != nil {
		t.Fatalf("no active incident for the job: %v", err)
	}
	if incidentType != "JOB_NO_RETRIES" || msg != "boom" {
		t.Fatalf("incident %s %q", incidentType, msg)
	}
	var has bool
	_ = s.pool.QueryRow(ctx, `SELECT has_incident FROM process_instance WHERE key = $1`, created.InstanceKey).Scan(&has)
	if !has {
		t.Fatal("instance does not show its incident")
	}
	wantCode(t, s.CompleteJob(ctx, job.Key, ""), CodeFailedPrecondition)
	wantCode(t, s.ResolveIncident(ctx, incidentKey), CodeFailedPrecondition)
	if err := s.UpdateJobRetries(ctx, job.Key, 2); err != nil {
		t.Fatal(err)
	}
	if jobs, _ := s.ActivateJobs(ctx, ActivateRequest{Type: "work", Worker: "w", Timeout: time.Minute, Max: 1}); len(jobs) != 0 {
		t.Fatal("a job with an open incident was activatable")
	}
	if err := s.ResolveIncident(ctx, incidentKey); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.ResolveIncident(ctx, incidentKey), CodeNotFound)
	job = activateOne(t, s, "work")
	if err := s.CompleteJob(ctx, job.Key, ""); err != nil {
		t.Fatal(err)
	}
	if st := instanceState(t, s, created.InstanceKey); st != "COMPLETED" {
		t.Fatalf("instance state %s", st)
	}
}

func TestJobLeaseExpiresAndBackOff(t *testing.T) {
	s := newTestStore(t, true, true)
	ctx := context.Background()
	deploy(t, s, "p.bpmn", bpmnProcess("p", oneTask))
	if _, err := s.CreateInstance(ctx, CreateInstanceRequest{BPMNProcessID: "p", Version: -1}); err != nil {
		t.Fatal(err)
	}
	job := activateOne(t, s, "work")
	if _, err := s.Clock().Add(ctx, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the lease to expire", func() bool {
		jobs, _ := s.ActivateJobs(ctx, ActivateRequest{Type: "work", Worker: "w2", Timeout: time.Minute, Max: 1})
		return len(jobs) == 1 && jobs[0].Key == job.Key
	})
	if err := s.FailJob(ctx, FailJobRequest{Key: job.Key, Retries: 1, RetryBackOff: time.Hour}); err != nil {
		t.Fatal(err)
	}
	if jobs, _ := s.ActivateJobs(ctx, ActivateRequest{Type: "work", Worker: "w", Timeout: time.Minute, Max: 1}); len(jobs) != 0 {
		t.Fatal("a job was activatable during its back-off")
	}
	wake := s.JobsAvailable("work")
	if _, err := s.Clock().Add(ctx, 2*time.Hour); err != nil {
		t.Fatal(err)
	}
	select {
	case <-wake:
	case <-time.After(5 * time.Second):
		t.Fatal("parked activations were not woken when the back-off passed")
	}
	activateOne(t, s, "work")
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

var _ = runtime.InstanceActive
