package conformance

import (
	"strconv"
	"testing"
)

// callFixture: parent start → call(child) → task(after); child start → task(childTask) → end.
func callFixture(parent, child, childTask, after string) (string, string) {
	parentXML := bpmnDoc(parent, newScope(startEv("start"), callActivity("call", child), task("after", after), endEv("end")).chain("start", "call", "after", "end"))
	childXML := oneTask(child, childTask)
	return parentXML, childXML
}

// docs: components/modeler/bpmn/call-activities (variable mappings: in from the parent, out to it)
func TestCallActivityPassesVariablesBothWays(t *testing.T) {
	parallel(t)
	parent, child, childTask, after := uniq("call-parent"), uniq("call-child"), uniq("call-child-task"), uniq("call-after")
	px, cx := callFixture(parent, child, childTask, after)
	deploy(t, cx)
	pi := deployStart(t, px, parent, map[string]any{"order": "o-7"})
	cj := waitJob(t, childTask)
	if cj.ProcessInstanceKey == pi || varJSON(t, cj, "order") != `"o-7"` {
		t.Fatalf("child job instance %d (parent %d) order=%s", cj.ProcessInstanceKey, pi, varJSON(t, cj, "order"))
	}
	if it, ok := getInstance(t, cj.ProcessInstanceKey); !ok || int64(it.ParentProcessInstanceKey) != pi {
		t.Errorf("child instance %+v, want parentProcessInstanceKey %d", it, pi)
	}
	complete(t, cj.Key, map[string]any{"shipped": true})
	if j := completeNext(t, after, nil); varJSON(t, j, "shipped") != "true" {
		t.Errorf("parent after the call: shipped=%s", varJSON(t, j, "shipped"))
	}
	waitState(t, cj.ProcessInstanceKey, "COMPLETED")
	waitState(t, pi, "COMPLETED")
}

// docs: components/modeler/bpmn/call-activities (terminating the call activity terminates the child)
func TestCancelParentTerminatesChild(t *testing.T) {
	parallel(t)
	parent, child, childTask, after := uniq("call-cancel-parent"), uniq("call-cancel-child"), uniq("call-cancel-task"), uniq("call-cancel-after")
	px, cx := callFixture(parent, child, childTask, after)
	deploy(t, cx)
	pi := deployStart(t, px, parent, nil)
	cj := waitJob(t, childTask)
	if _, err := zc.NewCancelInstanceCommand().ProcessInstanceKey(pi).Send(ctxT(t)); err != nil {
		t.Fatalf("cancel parent: %v", err)
	}
	waitState(t, pi, "TERMINATED")
	waitState(t, cj.ProcessInstanceKey, "TERMINATED")
	children := search[instanceItem](t, "/v2/process-instances/search", map[string]any{"parentProcessInstanceKey": strconv.FormatInt(pi, 10)})
	if len(children) != 1 || children[0].State != "TERMINATED" {
		t.Errorf("children of %d: %+v", pi, children)
	}
	if err := completeErr(t, cj.Key); code(err) == 0 {
		t.Errorf("completing the terminated child's job succeeded")
	}
}
