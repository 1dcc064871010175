package runtime

import (
	"strings"
	"testing"
)

func TestFlowLoopWithoutWaitStateRaisesIncident(t *testing.T) {
	e := newTestEnv(t)
	d := e.deploy(doc(`<bpmn:startEvent id="s"/><bpmn:exclusiveGateway id="g" default="out"/><bpmn:endEvent id="end"/>`+
		flow("f1", "s", "g", "")+flow("again", "g", "g", "=spin")+flow("out", "g", "end", ""), ""))
	in := e.start(d, `{"spin":true}`)
	inc := e.incidents()
	if len(inc) != 1 || inc[0].Type != IncidentUnknown || inc[0].ElementID != "g" || !strings.Contains(inc[0].Message, "10000") {
		t.Fatalf("incidents %+v", inc)
	}
	if active(in) != "g" || in.State != InstanceActive {
		t.Fatalf("active %s state %s", active(in), in.State)
	}
	n := 0
	for _, r := range e.records {
		if r.Intent == "ELEMENT_ACTIVATED" {
			n++
		}
	}
	if n != maxActivationsPerCommand {
		t.Fatalf("%d elements were activated, want the bound %d", n, maxActivationsPerCommand)
	}
	// fixing the variable and resolving the incident lets the instance leave the loop
	if err := in.SetVariables(e, in.Key, jsonVars(t, `{"spin":false}`), false); err != nil {
		t.Fatal(err)
	}
	if err := in.ResolveIncident(e, inc[0].Key); err != nil {
		t.Fatal(err)
	}
	if in.State != InstanceCompleted || len(e.incidents()) != 0 {
		t.Fatalf("state %s incidents %v", in.State, e.incidents())
	}
}
