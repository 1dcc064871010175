package store

import (
	"context"
	"testing"
	"time"
)

const parallelTasks = `<bpmn:startEvent id="start"/>
<bpmn:parallelGateway id="fork"/>
<bpmn:serviceTask id="a"><bpmn:extensionElements><zeebe:taskDefinition type="par"/></bpmn:extensionElements></bpmn:serviceTask>
<bpmn:serviceTask id="b"><bpmn:extensionElements><zeebe:taskDefinition type="par"/></bpmn:extensionElements></bpmn:serviceTask>
<bpmn:parallelGateway id="join"/>
<bpmn:endEvent id="end"/>
<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fork"/>
<bpmn:sequenceFlow id="f2" sourceRef="fork" targetRef="a"/>
<bpmn:sequenceFlow id="f3" sourceRef="fork" targetRef="b"/>
<bpmn:sequenceFlow id="f4" sourceRef="a" targetRef="join"/>
<bpmn:sequenceFlow id="f5" sourceRef="b" targetRef="join"/>
<bpmn:sequenceFlow id="f6" sourceRef="join" targetRef="end"/>`

// A batch of completions: the ones it can run commit together; one whose instance another
// transaction holds, a second one on an instance already in the batch, a repeat of a job and a
// missing job each get the answer a completion alone would get.
func TestCompleteBatchAnswersEachLikeAlone(t *testing.T) {
	s := newTestStore(t, false, false)
	ctx := context.Background()
	deploy(t, s, "p.bpmn", bpmnProcess("p", oneTask))
	deploy(t, s, "par.bpmn", bpmnProcess("par", parallelTasks))
	var instances []int64
	for range 4 {
		created, err := s.CreateInstance(ctx, CreateInstanceRequest{BPMNProcessID: "p", Version: -1})
		if err != nil {
			t.Fatal(err)
		}
		instances = append(instances, created.InstanceKey)
	}
	par, err := s.CreateInstance(ctx, CreateInstanceRequest{BPMNProcessID: "par", Version: -1})
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := s.ActivateJobs(ctx, ActivateRequest{Type: "work", Worker: "w", Timeout: time.Minute, Max: 10})
	if err != nil || len(jobs) != 4 {
		t.Fatalf("activate work: %d jobs, %v", len(jobs), err)
	}
	parJobs, err := s.ActivateJobs(ctx, ActivateRequest{Type: "par", Worker: "w", Timeout: time.Minute, Max: 10})
	if err != nil || len(parJobs) != 2 {
		t.Fatalf("activate par: %d jobs, %v", len(parJobs), err)
	}

	// Another transaction holds the last instance's row while the batch runs.
	holder, err := s.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback(ctx)
	if _, err := holder.Exec(ctx, `SELECT 1 FROM process_instance WHERE key = $1 FOR UPDATE`, jobs[3].ProcessInstanceKey); err != nil {
		t.Fatal(err)
	}

	keys := []int64{jobs[0].Key, jobs[1].Key, jobs[2].Key, jobs[3].Key, parJobs[0].Key, parJobs[1].Key, jobs[0].Key, 42}
	var reqs []*completeRequest
	for _, k := range keys {
		reqs = append(reqs, &completeRequest{ctx: ctx, key: k, start: time.Now(), done: make(chan error, 1)})
	}
	go s.runCompleteBatch(reqs)

	answer := func(i int) error {
		select {
		case err := <-reqs[i].done:
			return err
		case <-time.After(10 * time.Second):
			t.Fatalf("completion %d (job %d) was not answered", i, keys[i])
			return nil
		}
	}
	for _, i := range []int{0, 1, 2, 4, 5} {
		if err := answer(i); err != nil {
			t.Fatalf("completion %d (job %d): %v", i, keys[i], err)
		}
	}
	wantCode(t, answer(6), CodeNotFound) // the same job again, after the first completion committed
	wantCode(t, answer(7), CodeNotFound)
	select {
	case err := <-reqs[3].done:
		t.Fatalf("the completion of a job whose instance is locked elsewhere was answered (%v) before the lock was released", err)
	case <-time.After(300 * time.Millisecond):
	}
	if err := holder.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if err := answer(3); err != nil {
		t.Fatalf("completion waiting for the lock: %v", err)
	}
	s.Wait()
	for _, key := range append(instances, par.InstanceKey) {
		if st := instanceState(t, s, key); st != "COMPLETED" {
			t.Fatalf("instance %d is %s, want COMPLETED", key, st)
		}
	}
	var completedRecords int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM journal WHERE value_type = 'JOB' AND intent = 'COMPLETED'`).Scan(&completedRecords); err != nil {
		t.Fatal(err)
	}
	if completedRecords != 6 {
		t.Fatalf("journal holds %d job completions, want 6", completedRecords)
	}
}
