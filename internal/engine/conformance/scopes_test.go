package conformance

import (
	"testing"

	"google.golang.org/grpc/codes"
)

// docs: components/modeler/bpmn/embedded-subprocesses (the subprocess completes when its flow ends)
func TestEmbeddedSubprocess(t *testing.T) {
	parallel(t)
	pid, inner, after := uniq("subproc"), uniq("subproc-inner"), uniq("subproc-after")
	sub := subProcess("sub", newScope(startEv("subStart"), task("inner", inner), endEv("subEnd")).chain("subStart", "inner", "subEnd"))
	xml := bpmnDoc(pid, newScope(startEv("start"), sub, task("after", after), endEv("end")).chain("start", "sub", "after", "end"))
	pi := deployStart(t, xml, pid, nil)
	completeNext(t, inner, map[string]any{"done": true})
	if j := completeNext(t, after, nil); varJSON(t, j, "done") != "true" {
		t.Errorf("done = %s after the subprocess", varJSON(t, j, "done"))
	}
	waitState(t, pi, "COMPLETED")
	subs := elementsOf(t, pi, "sub")
	if len(subs) != 1 || subs[0].State != "COMPLETED" {
		t.Errorf("element-instances sub: %+v, want one COMPLETED", subs)
	}
}

// docs: components/modeler/bpmn/terminate-events (terminate end event ends every token of its scope)
func TestTerminateEndEvent(t *testing.T) {
	parallel(t)
	pid, a, b := uniq("terminate"), uniq("terminate-a"), uniq("terminate-b")
	xml := bpmnDoc(pid, newScope(startEv("start"), parallelGw("fork"), task("a", a), task("b", b), endEv("end"), terminateEnd("kill")).
		chain("start", "fork").chain("fork", "a", "end").chain("fork", "b", "kill"))
	pi := deployStart(t, xml, pid, nil)
	ja := waitJob(t, a)
	completeNext(t, b, nil)
	waitState(t, pi, "COMPLETED")
	wantCode(t, completeErr(t, ja.Key), codes.NotFound, "complete a job the terminate end event ended")
	as := elementsOf(t, pi, "a")
	if len(as) != 1 || as[0].State != "TERMINATED" {
		t.Errorf("element-instances a: %+v, want TERMINATED", as)
	}
}
