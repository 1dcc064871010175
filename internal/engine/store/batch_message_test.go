package store

import (
	"context"
	"strings"
	"testing"
	"time"
)

const taskThenMessage = `<bpmn:startEvent id="start"/>
<bpmn:serviceTask id="work"><bpmn:extensionElements><zeebe:taskDefinition type="mwork"/></bpmn:extensionElements></bpmn:serviceTask>
<bpmn:intermediateCatchEvent id="wait"><bpmn:messageEventDefinition messageRef="m"/></bpmn:intermediateCatchEvent>
<bpmn:endEvent id="end"/>
<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
<bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="wait"/>
<bpmn:sequenceFlow id="f3" sourceRef="wait" targetRef="end"/>`

func processWithMessage(id, body string) []byte {
	return []byte(strings.Replace(string(bpmnProcess(id, body)), "</bpmn:definitions>",
		`<bpmn:message id="m" name="paid"><bpmn:extensionElements><zeebe:subscription correlationKey="=k"/></bpmn:extensionElements></bpmn:message></bpmn:definitions>`, 1))
}

// Two completions in one batch open subscriptions of the same process id that both match one
// buffered message: the message correlates to exactly one instance (at most once per process
// id), and neither completion is failed by the other.
func TestCompleteBatchBufferedMessageCorrelatesOncePerProcessID(t *testing.T) {
	s := newTestStore(t, false, false)
	ctx := context.Background()
	deploy(t, s, "pm.bpmn", processWithMessage("pm", taskThenMessage))
	var instances []int64
	for range 2 {
		created, err := s.CreateInstance(ctx, CreateInstanceRequest{BPMNProcessID: "pm", Version: -1, Variables: `{"k":"o-1"}`})
		if err != nil {
			t.Fatal(err)
		}
		instances = append(instances, created.InstanceKey)
	}
	jobs, err := s.ActivateJobs(ctx, ActivateRequest{Type: "mwork", Worker: "w", Timeout: time.Minute, Max: 10})
	if err != nil || len(jobs) != 2 {
		t.Fatalf("activate: %d jobs, %v", len(jobs), err)
	}
	if _, err := s.PublishMessage(ctx, PublishRequest{Name: "paid", CorrelationKey: "o-1", TTL: time.Hour}); err != nil {
		t.Fatal(err)
	}

	var reqs []*completeRequest
	for _, j := range jobs {
		reqs = append(reqs, &completeRequest{ctx: ctx, key: j.Key, start: time.Now(), done: make(chan error, 1)})
	}
	go s.runCompleteBatch(reqs)
	for i, r := range reqs {
		select {
		case err := <-r.done:
			if err != nil {
				t.Fatalf("completion %d: %v", i, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("completion %d was not answered", i)
		}
	}
	s.Wait()
	completed := 0
	for _, key := range instances {
		if instanceState(t, s, key) == "COMPLETED" {
			completed++
		}
	}
	if completed != 1 {
		t.Fatalf("%d instances of one process id received the one buffered message, want 1", completed)
	}
}
