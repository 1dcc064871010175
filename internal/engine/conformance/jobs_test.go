package conformance

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/camunda/zeebe/clients/go/v8/pkg/pb"
	"google.golang.org/grpc/codes"
)

// docs: components/concepts/job-workers (requesting jobs: the number of jobs requested)
func TestJobActivationHonoursMaxJobsToActivate(t *testing.T) {
	parallel(t)
	pid, jt := uniq("max-jobs"), uniq("max-jobs-type")
	deploy(t, oneTask(pid, jt))
	for range 5 {
		start(t, pid, nil)
	}
	var first []*pb.ActivatedJob
	eventually(t, 10*time.Second, "3 jobs in one activation", func() bool {
		first = append(first, activate(t, jt, 3-int32(len(first)), time.Minute, -1)...)
		return len(first) == 3
	})
	rest := activate(t, jt, 10, time.Minute, time.Second)
	if len(rest) != 2 {
		t.Fatalf("second activation: want the 2 remaining jobs, got %d", len(rest))
	}
	seen := map[int64]bool{}
	for _, j := range append(first, rest...) {
		if seen[j.Key] {
			t.Fatalf("job %d handed out twice", j.Key)
		}
		seen[j.Key] = true
	}
}

// docs: components/concepts/job-workers (job timeout: the job becomes activatable again)
func TestJobTimeoutMakesJobActivatableAgain(t *testing.T) {
	clockTest(t)
	pid, jt := uniq("job-timeout"), uniq("job-timeout-type")
	deployStart(t, oneTask(pid, jt), pid, nil)
	j := activate(t, jt, 1, 10*time.Minute, 5*time.Second)
	if len(j) != 1 {
		t.Fatalf("want 1 job, got %d", len(j))
	}
	if again := activateNow(t, jt); len(again) != 0 {
		t.Fatalf("job activated twice while its activation is live")
	}
	clockAdd(t, 11*time.Minute)
	again := waitJob(t, jt)
	if again.Key != j[0].Key {
		t.Fatalf("re-activated job key %d, want %d", again.Key, j[0].Key)
	}
	complete(t, again.Key, nil)
}

// docs: components/concepts/job-workers (variables: fetchVariables limits the job's variables)
func TestJobWorkerNameAndFetchVariables(t *testing.T) {
	parallel(t)
	pid, jt := uniq("fetch-vars"), uniq("fetch-vars-type")
	deployStart(t, oneTask(pid, jt), pid, map[string]any{"a": 1, "b": "two", "c": true})
	var jobs []*pb.ActivatedJob
	eventually(t, 10*time.Second, "job with fetchVariable", func() bool {
		ctx := ctxT(t)
		stream, err := gw.ActivateJobs(ctx, &pb.ActivateJobsRequest{Type: jt, Worker: "worker-one", Timeout: 60000, MaxJobsToActivate: 1, FetchVariable: []string{"a", "c"}, RequestTimeout: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for {
			resp, err := stream.Recv()
			if err != nil {
				break
			}
			jobs = append(jobs, resp.Jobs...)
		}
		return len(jobs) > 0
	})
	j := jobs[0]
	if j.Worker != "worker-one" {
		t.Errorf("worker %q, want worker-one", j.Worker)
	}
	vars := jobVars(t, j)
	if len(vars) != 2 || vars["a"] == nil || vars["c"] == nil {
		t.Errorf("variables %s, want only a and c", j.Variables)
	}
	items := search[jobItem](t, "/v2/jobs/search", map[string]any{"type": jt})
	if len(items) != 1 || items[0].Worker != "worker-one" {
		t.Errorf("jobs/search %+v, want one job with worker worker-one", items)
	}
}

// docs: components/concepts/job-workers (long polling: the request is answered when a job appears)
func TestLongPollingAnswersAsSoonAsAJobAppears(t *testing.T) {
	parallel(t)
	pid, jt := uniq("long-poll"), uniq("long-poll-type")
	deploy(t, oneTask(pid, jt))
	got := make(chan []*pb.ActivatedJob, 1)
	asked := time.Now()
	go func() { got <- activate(t, jt, 1, time.Minute, 20*time.Second) }()
	time.Sleep(500 * time.Millisecond)
	created := time.Now()
	start(t, pid, nil)
	select {
	case jobs := <-got:
		if len(jobs) != 1 {
			t.Fatalf("parked request answered with %d jobs, want 1", len(jobs))
		}
		if d := time.Since(created); d > 5*time.Second {
			t.Fatalf("answered %s after the job appeared (requestTimeout 20s)", d)
		}
		t.Logf("answered %s after the job was created, %s after asking", time.Since(created), time.Since(asked))
	case <-time.After(15 * time.Second):
		t.Fatal("parked ActivateJobs not answered 15s after a job appeared")
	}
}

// docs: components/concepts/job-workers (long polling: empty answer at the request timeout)
func TestLongPollingAnswersEmptyAtRequestTimeout(t *testing.T) {
	parallel(t)
	jt := uniq("long-poll-empty")
	began := time.Now()
	jobs := activate(t, jt, 1, time.Minute, 1500*time.Millisecond)
	took := time.Since(began)
	if len(jobs) != 0 {
		t.Fatalf("got %d jobs of an unknown type", len(jobs))
	}
	if took < 1300*time.Millisecond || took > 6*time.Second {
		t.Fatalf("empty answer after %s, want about the 1.5s request timeout", took)
	}
}

// docs: components/concepts/job-workers (completing or failing jobs: retries > 0)
func TestFailJobWithRetriesMakesItActivatableAgain(t *testing.T) {
	parallel(t)
	pid, jt := uniq("fail-retry"), uniq("fail-retry-type")
	deployStart(t, oneTask(pid, jt), pid, nil)
	j := waitJob(t, jt)
	if _, err := gw.FailJob(ctxT(t), &pb.FailJobRequest{JobKey: j.Key, Retries: 2, ErrorMessage: "boom once"}); err != nil {
		t.Fatalf("fail job: %v", err)
	}
	again := waitJob(t, jt)
	if again.Key != j.Key || again.Retries != 2 {
		t.Fatalf("re-activated job %d retries %d, want %d retries 2", again.Key, again.Retries, j.Key)
	}
}

// docs: apis-tools/zeebe-api/gateway-service (FailJob: retryBackOff delays the next activation)
func TestFailJobRetryBackOff(t *testing.T) {
	clockTest(t)
	pid, jt := uniq("backoff"), uniq("backoff-type")
	deployStart(t, oneTask(pid, jt), pid, nil)
	j := waitJob(t, jt)
	if _, err := gw.FailJob(ctxT(t), &pb.FailJobRequest{JobKey: j.Key, Retries: 1, ErrorMessage: "later", RetryBackOff: time.Hour.Milliseconds()}); err != nil {
		t.Fatalf("fail job: %v", err)
	}
	noJob(t, jt, 500*time.Millisecond)
	clockAdd(t, 30*time.Minute)
	noJob(t, jt, 300*time.Millisecond)
	clockAdd(t, 31*time.Minute)
	again := waitJob(t, jt)
	if again.Key != j.Key {
		t.Fatalf("got job %d, want %d", again.Key, j.Key)
	}
}

// docs: components/concepts/incidents (a job with no retries left raises an incident)
func TestFailJobWithoutRetriesRaisesIncident(t *testing.T) {
	parallel(t)
	pid, jt := uniq("no-retries"), uniq("no-retries-type")
	pi := deployStart(t, oneTask(pid, jt), pid, nil)
	j := waitJob(t, jt)
	if _, err := gw.FailJob(ctxT(t), &pb.FailJobRequest{JobKey: j.Key, Retries: 0, ErrorMessage: "out of luck"}); err != nil {
		t.Fatalf("fail job: %v", err)
	}
	in := waitIncident(t, pi, "JOB_NO_RETRIES")
	if int64(in.JobKey) != j.Key || in.ElementID != "task" {
		t.Errorf("incident %+v, want jobKey %d elementId task", in, j.Key)
	}
	if !strings.Contains(in.ErrorMessage, "out of luck") {
		t.Errorf("incident message %q does not carry the job's error message", in.ErrorMessage)
	}
	if it, _ := getInstance(t, pi); !it.HasIncident || it.State != "ACTIVE" {
		t.Errorf("instance %+v, want ACTIVE with hasIncident", it)
	}
	noJob(t, jt, 300*time.Millisecond)

	// docs: components/concepts/incidents (update retries, then resolve the incident)
	t.Run("UpdateRetriesAndResolve", func(t *testing.T) {
		if _, err := gw.UpdateJobRetries(ctxT(t), &pb.UpdateJobRetriesRequest{JobKey: j.Key, Retries: 1}); err != nil {
			t.Fatalf("update retries: %v", err)
		}
		if _, err := gw.ResolveIncident(ctxT(t), &pb.ResolveIncidentRequest{IncidentKey: int64(in.IncidentKey)}); err != nil {
			t.Fatalf("resolve incident: %v", err)
		}
		again := waitJob(t, jt)
		if again.Key != j.Key || again.Retries != 1 {
			t.Fatalf("job %d retries %d, want %d retries 1", again.Key, again.Retries, j.Key)
		}
		complete(t, again.Key, nil)
		waitState(t, pi, "COMPLETED")
		if act := activeIncidentsOf(t, pi); len(act) != 0 {
			t.Errorf("active incidents after resolve: %+v", act)
		}
	})
}

// docs: components/concepts/variables (variable propagation on job completion)
func TestCompleteJobMergesVariables(t *testing.T) {
	parallel(t)
	pid, ta, tb := uniq("merge"), uniq("merge-a"), uniq("merge-b")
	deployStart(t, twoTasks(pid, ta, tb), pid, map[string]any{"keep": "k", "x": 1})
	completeNext(t, ta, map[string]any{"x": 2, "y": map[string]any{"z": "deep"}})
	j := waitJob(t, tb)
	if got := varJSON(t, j, "x"); got != "2" {
		t.Errorf("x = %s, want 2", got)
	}
	if got := varJSON(t, j, "y"); got != `{"z":"deep"}` {
		t.Errorf("y = %s", got)
	}
	if got := varJSON(t, j, "keep"); got != `"k"` {
		t.Errorf("keep = %s", got)
	}
}

// docs: components/concepts/variables (output mappings: only mapped variables leave the task)
func TestOutputMappingsApplied(t *testing.T) {
	parallel(t)
	pid, ta, tb := uniq("outmap"), uniq("outmap-a"), uniq("outmap-b")
	xml := bpmnDoc(pid, newScope(startEv("start"),
		task("a", ta).withIO(nil, [][2]string{{"=result.total * 2", "total"}}),
		task("b", tb), endEv("end")).chain("start", "a", "b", "end"))
	deployStart(t, xml, pid, nil)
	completeNext(t, ta, map[string]any{"result": map[string]any{"total": 21}})
	j := waitJob(t, tb)
	if got := varJSON(t, j, "total"); got != "42" {
		t.Errorf("total = %s, want 42", got)
	}
	if got := varJSON(t, j, "result"); got != "<missing>" {
		t.Errorf("result = %s, want it kept local to the task", got)
	}
}

// docs: apis-tools/zeebe-api/gateway-service (CompleteJob: NOT_FOUND when the job no longer exists)
func TestCompleteJobOfCancelledInstanceNotFound(t *testing.T) {
	parallel(t)
	pid, jt := uniq("complete-cancelled"), uniq("complete-cancelled-type")
	pi := deployStart(t, oneTask(pid, jt), pid, nil)
	j := waitJob(t, jt)
	if _, err := zc.NewCancelInstanceCommand().ProcessInstanceKey(pi).Send(ctxT(t)); err != nil {
		t.Fatalf("cancel: %v", err)
	}
	wantCode(t, completeErr(t, j.Key), codes.NotFound, "complete job of a cancelled instance")
	waitState(t, pi, "TERMINATED")
}

// docs: apis-tools/zeebe-api/gateway-service (CompleteJob: a completed job cannot be completed again)
func TestCompleteJobTwiceNotFound(t *testing.T) {
	parallel(t)
	pid, jt := uniq("complete-twice"), uniq("complete-twice-type")
	deployStart(t, oneTask(pid, jt), pid, nil)
	j := completeNext(t, jt, nil)
	wantCode(t, completeErr(t, j.Key), codes.NotFound, "second complete")
}

// docs: apis-tools/zeebe-api/gateway-service (CompleteJob: NOT_FOUND for no job with the key)
func TestCompleteUnknownJobNotFound(t *testing.T) {
	parallel(t)
	wantCode(t, completeErr(t, 2251799813685249+987654321), codes.NotFound, "complete unknown job")
	_, err := gw.FailJob(ctxT(t), &pb.FailJobRequest{JobKey: 2251799813685249 + 987654322, Retries: 1})
	wantCode(t, err, codes.NotFound, "fail unknown job")
}

// docs: components/modeler/bpmn/service-tasks (task headers)
func TestJobCustomHeaders(t *testing.T) {
	parallel(t)
	pid, jt := uniq("headers"), uniq("headers-type")
	xml := bpmnDoc(pid, newScope(startEv("start"), task("task", jt).withHeaders("channel", "#ops", "priority", "high"), endEv("end")).chain("start", "task", "end"))
	deployStart(t, xml, pid, nil)
	j := waitJob(t, jt)
	var headers map[string]string
	if err := json.Unmarshal([]byte(j.CustomHeaders), &headers); err != nil || headers["channel"] != "#ops" || headers["priority"] != "high" || len(headers) != 2 {
		t.Errorf("custom headers %s (%v)", j.CustomHeaders, err)
	}
	if j.ElementId != "task" || j.BpmnProcessId != pid {
		t.Errorf("job element %q process %q", j.ElementId, j.BpmnProcessId)
	}
}

// docs: components/modeler/bpmn/user-tasks (job worker implementation: io.camunda.zeebe:userTask)
func TestJobBasedUserTask(t *testing.T) {
	parallel(t)
	pid := uniq("user-task")
	group := uniq("group")
	xml := bpmnDoc(pid, newScope(startEv("start"), userTask("approve", group), endEv("end")).chain("start", "approve", "end"))
	pi := deployStart(t, xml, pid, nil)
	// Other tests' user tasks share the job type, so pick this instance's job.
	var mine *pb.ActivatedJob
	eventually(t, 10*time.Second, "user task job of this instance", func() bool {
		for _, j := range activate(t, "io.camunda.zeebe:userTask", 32, 2*time.Second, -1) {
			if j.ProcessInstanceKey == pi {
				mine = j
			}
		}
		return mine != nil
	})
	if !strings.Contains(mine.CustomHeaders, "io.camunda.zeebe:candidateGroups") || !strings.Contains(mine.CustomHeaders, group) {
		t.Errorf("custom headers %s, want io.camunda.zeebe:candidateGroups with %s", mine.CustomHeaders, group)
	}
	complete(t, mine.Key, nil)
	waitState(t, pi, "COMPLETED")
}

// docs: components/modeler/bpmn/service-tasks (task definition: retries, default 3)
func TestJobRetriesFromTaskDefinition(t *testing.T) {
	parallel(t)
	pid, t5, t3 := uniq("retries"), uniq("retries-5"), uniq("retries-default")
	xml := bpmnDoc(pid, newScope(startEv("start"), taskRetries("a", t5, "5"), task("b", t3), endEv("end")).chain("start", "a", "b", "end"))
	deployStart(t, xml, pid, nil)
	j := completeNext(t, t5, nil)
	if j.Retries != 5 {
		t.Errorf("retries %d, want 5", j.Retries)
	}
	if j3 := waitJob(t, t3); j3.Retries != 3 {
		t.Errorf("default retries %d, want 3", j3.Retries)
	}
}

// docs: apis-tools/camunda-api-rest/specifications/update-job (PATCH timeout and retries)
func TestPatchJobTimeoutAndRetries(t *testing.T) {
	clockTest(t)
	pid, jt := uniq("patch-job"), uniq("patch-job-type")
	deployStart(t, oneTask(pid, jt), pid, nil)
	j := activate(t, jt, 1, time.Hour, 5*time.Second)
	if len(j) != 1 {
		t.Fatalf("want 1 job")
	}
	url := fmt.Sprintf("http://%s/v2/jobs/%d", eng.httpAddr, j[0].Key)
	if err := doJSON("PATCH", url, map[string]any{"changeset": map[string]any{"timeout": 60000, "retries": 7}}, nil); err != nil {
		t.Fatalf("PATCH %s: %v", url, err)
	}
	items := search[jobItem](t, "/v2/jobs/search", map[string]any{"type": jt})
	if len(items) != 1 || items[0].Retries != 7 {
		t.Errorf("jobs/search %+v, want retries 7", items)
	}
	clockAdd(t, 2*time.Minute) // past the patched 1 min deadline, well before the original hour
	again := waitJob(t, jt)
	if again.Key != j[0].Key || again.Retries != 7 {
		t.Fatalf("job %d retries %d after the patched timeout", again.Key, again.Retries)
	}
}
