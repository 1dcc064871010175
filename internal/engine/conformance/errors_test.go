package conformance

import (
	"time"

	"testing"

	"github.com/camunda/zeebe/clients/go/v8/pkg/pb"
)

// throwError throws code from the next job of jobType with variables.
func throwError(t *testing.T, jobType, code string, vars map[string]any) {
	t.Helper()
	j := waitJob(t, jobType)
	if _, err := gw.ThrowError(ctxT(t), &pb.ThrowErrorRequest{JobKey: j.Key, ErrorCode: code, ErrorMessage: "thrown by the test", Variables: jsonText(t, vars)}); err != nil {
		t.Fatalf("throw error %s: %v", code, err)
	}
}

// docs: components/modeler/bpmn/error-events (error boundary event catches a matching code;
// "Variable mappings": the error's variables are merged into the catch event only, and reach the
// process through the catch event's output mappings, which this one has none of)
func TestThrowErrorCaughtByMatchingBoundary(t *testing.T) {
	parallel(t)
	pid, jt, handle, normal := uniq("err-boundary"), uniq("err-boundary-task"), uniq("err-boundary-handle"), uniq("err-boundary-next")
	code := uniq("CODE")
	xml := bpmnDoc(pid, newScope(startEv("start"), task("task", jt), task("next", normal), endEv("end"),
		boundaryError("caught", "task", code), task("handle", handle), endEv("handled")).
		chain("start", "task", "next", "end").chain("caught", "handle", "handled"))
	pi := deployStart(t, xml, pid, nil)
	throwError(t, jt, code, map[string]any{"reason": "bad"})
	j := waitJob(t, handle)
	if got := varJSON(t, j, "reason"); got != "<missing>" {
		t.Errorf("thrown variable reason = %s beyond a catch event without output mappings, want <missing>", got)
	}
	complete(t, j.Key, nil)
	waitState(t, pi, "COMPLETED")
	noJob(t, normal, 200*time.Millisecond)
}

// docs: components/modeler/bpmn/error-events (an error event subprocess catches the error)
func TestThrowErrorCaughtByEventSubprocess(t *testing.T) {
	parallel(t)
	pid, jt, handle := uniq("err-evsub"), uniq("err-evsub-task"), uniq("err-evsub-handle")
	code := uniq("CODE")
	xml := bpmnDoc(pid, newScope(startEv("start"), task("task", jt), endEv("end"),
		eventSubProcess("onError", newScope(errorStart("errStart", code), task("handle", handle), endEv("errEnd")).chain("errStart", "handle", "errEnd"))).
		chain("start", "task", "end"))
	pi := deployStart(t, xml, pid, nil)
	throwError(t, jt, code, nil)
	completeNext(t, handle, nil)
	waitState(t, pi, "COMPLETED")
}

// docs: components/modeler/bpmn/error-events (a boundary without an error reference catches all)
func TestThrowErrorCaughtByCatchAllBoundary(t *testing.T) {
	parallel(t)
	pid, jt, handle := uniq("err-catchall"), uniq("err-catchall-task"), uniq("err-catchall-handle")
	xml := bpmnDoc(pid, newScope(startEv("start"), task("task", jt), endEv("end"),
		boundaryError("any", "task", ""), task("handle", handle), endEv("handled")).
		chain("start", "task", "end").chain("any", "handle", "handled"))
	pi := deployStart(t, xml, pid, nil)
	throwError(t, jt, uniq("WHATEVER"), nil)
	completeNext(t, handle, nil)
	waitState(t, pi, "COMPLETED")
}

// docs: components/concepts/incidents (an error no catch event matches: UNHANDLED_ERROR_EVENT)
func TestThrowErrorUnmatchedRaisesIncident(t *testing.T) {
	parallel(t)
	pid, jt := uniq("err-unhandled"), uniq("err-unhandled-task")
	code := uniq("CODE")
	xml := bpmnDoc(pid, newScope(startEv("start"), task("task", jt), endEv("end"),
		boundaryError("other", "task", uniq("OTHER")), endEv("otherEnd")).
		chain("start", "task", "end").chain("other", "otherEnd"))
	pi := deployStart(t, xml, pid, nil)
	throwError(t, jt, code, nil)
	in := waitIncident(t, pi, "UNHANDLED_ERROR_EVENT")
	if in.ElementID != "task" {
		t.Errorf("incident on %q, want task", in.ElementID)
	}
}

// docs: components/modeler/bpmn/error-events (error end event caught by the subprocess boundary)
func TestErrorEndEventCaughtBySubprocessBoundary(t *testing.T) {
	parallel(t)
	pid, handle, after := uniq("err-end"), uniq("err-end-handle"), uniq("err-end-after")
	code := uniq("CODE")
	inner := newScope(startEv("subStart"), errorEnd("fail", code)).chain("subStart", "fail")
	xml := bpmnDoc(pid, newScope(startEv("start"), subProcess("sub", inner), task("after", after), endEv("end"),
		boundaryError("caught", "sub", code), task("handle", handle), endEv("handled")).
		chain("start", "sub", "after", "end").chain("caught", "handle", "handled"))
	pi := deployStart(t, xml, pid, nil)
	completeNext(t, handle, nil)
	waitState(t, pi, "COMPLETED")
	noJob(t, after, 200*time.Millisecond)
}
