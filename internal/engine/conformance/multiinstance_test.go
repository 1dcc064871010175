package conformance

import (
	"encoding/json"
	"sort"
	"testing"
	"time"

	"github.com/camunda/zeebe/clients/go/v8/pkg/pb"
	"google.golang.org/grpc/codes"
)

// miFixture: start → task(work) multi-instance over =items as item, collecting =result into results → after.
func miFixture(pid, work, after string, sequential bool, completion string) string {
	return bpmnDoc(pid, newScope(startEv("start"),
		task("work", work).multi(sequential, "=items", "item", "results", "=result", completion),
		task("after", after), endEv("end")).chain("start", "work", "after", "end"))
}

// docs: components/modeler/bpmn/multi-instance (parallel: inputElement and loopCounter per instance)
func TestMultiInstanceParallel(t *testing.T) {
	parallel(t)
	pid, work, after := uniq("mi-par"), uniq("mi-par-work"), uniq("mi-par-after")
	items := []string{"x", "y", "z"}
	deployStart(t, miFixture(pid, work, after, false, ""), pid, map[string]any{"items": items})
	var jobs []*pb.ActivatedJob
	eventually(t, 10*time.Second, "3 parallel jobs", func() bool {
		jobs = append(jobs, activate(t, work, 10, time.Minute, -1)...)
		return len(jobs) >= 3
	})
	if len(jobs) != 3 {
		t.Fatalf("%d jobs, want 3", len(jobs))
	}
	for _, j := range jobs {
		var lc int
		if err := json.Unmarshal([]byte(varJSON(t, j, "loopCounter")), &lc); err != nil || lc < 1 || lc > 3 {
			t.Fatalf("loopCounter %s", varJSON(t, j, "loopCounter"))
		}
		if want, _ := json.Marshal(items[lc-1]); varJSON(t, j, "item") != string(want) {
			t.Errorf("loopCounter %d has item %s, want %s", lc, varJSON(t, j, "item"), want)
		}
	}
	// Complete in reverse loopCounter order: the output collection still follows the input order.
	sort.Slice(jobs, func(a, b int) bool { return varJSON(t, jobs[a], "loopCounter") > varJSON(t, jobs[b], "loopCounter") })
	for _, j := range jobs {
		var item string
		_ = json.Unmarshal([]byte(varJSON(t, j, "item")), &item)
		complete(t, j.Key, map[string]any{"result": item + "!"})
	}
	if j := waitJob(t, after); varJSON(t, j, "results") != `["x!","y!","z!"]` {
		t.Errorf("outputCollection results = %s, want in input order", varJSON(t, j, "results"))
	}
}

// docs: components/modeler/bpmn/multi-instance (sequential: one instance at a time, in order)
func TestMultiInstanceSequential(t *testing.T) {
	parallel(t)
	pid, work, after := uniq("mi-seq"), uniq("mi-seq-work"), uniq("mi-seq-after")
	deployStart(t, miFixture(pid, work, after, true, ""), pid, map[string]any{"items": []int{10, 20, 30}})
	for i, want := range []string{"10", "20", "30"} {
		j := waitJob(t, work)
		if varJSON(t, j, "item") != want || varJSON(t, j, "loopCounter") != string(rune('1'+i)) {
			t.Fatalf("step %d: item %s loopCounter %s", i+1, varJSON(t, j, "item"), varJSON(t, j, "loopCounter"))
		}
		noJob(t, work, 150*time.Millisecond)
		complete(t, j.Key, map[string]any{"result": i})
	}
	if j := waitJob(t, after); varJSON(t, j, "results") != "[0,1,2]" {
		t.Errorf("results = %s", varJSON(t, j, "results"))
	}
}

// docs: components/modeler/bpmn/multi-instance (an empty collection completes the body at once)
func TestMultiInstanceEmptyCollection(t *testing.T) {
	parallel(t)
	pid, work, after := uniq("mi-empty"), uniq("mi-empty-work"), uniq("mi-empty-after")
	deployStart(t, miFixture(pid, work, after, false, ""), pid, map[string]any{"items": []int{}})
	if j := waitJob(t, after); varJSON(t, j, "results") != "[]" {
		t.Errorf("results = %s, want []", varJSON(t, j, "results"))
	}
	noJob(t, work, 200*time.Millisecond)
}

// docs: components/modeler/bpmn/multi-instance (completion condition ends the remaining instances)
func TestMultiInstanceCompletionCondition(t *testing.T) {
	parallel(t)
	pid, work, after := uniq("mi-cond"), uniq("mi-cond-work"), uniq("mi-cond-after")
	deployStart(t, miFixture(pid, work, after, false, "=numberOfCompletedInstances >= 2"), pid, map[string]any{"items": []int{1, 2, 3}})
	var jobs []*pb.ActivatedJob
	eventually(t, 10*time.Second, "3 parallel jobs", func() bool {
		jobs = append(jobs, activate(t, work, 10, time.Minute, -1)...)
		return len(jobs) >= 3
	})
	complete(t, jobs[0].Key, map[string]any{"result": "a"})
	noJob(t, after, 300*time.Millisecond)
	complete(t, jobs[1].Key, map[string]any{"result": "b"})
	waitJob(t, after)
	wantCode(t, completeErr(t, jobs[2].Key), codes.NotFound, "complete the instance the completion condition terminated")
}

// docs: components/concepts/incidents (inputCollection that is not a list: EXTRACT_VALUE_ERROR)
func TestMultiInstanceCollectionNotAListRaisesIncident(t *testing.T) {
	parallel(t)
	pid, work, after := uniq("mi-notlist"), uniq("mi-notlist-work"), uniq("mi-notlist-after")
	pi := deployStart(t, miFixture(pid, work, after, false, ""), pid, map[string]any{"items": "not a list"})
	waitIncident(t, pi, "EXTRACT_VALUE_ERROR")
}
