package runtime

import (
	"errors"
	"testing"
)

// resolveAfter fixes the variables, resolves the one open incident and returns the instance.
func (e *testEnv) resolveAfter(in *Instance, typ IncidentType, fix string) *Instance {
	e.t.Helper()
	inc := e.incidents()
	if len(inc) != 1 || inc[0].Type != typ {
		e.t.Fatalf("want one %s incident, have %+v", typ, inc)
	}
	if fix != "" {
		if err := in.SetVariables(e, in.Key, jsonVars(e.t, fix), false); err != nil {
			e.t.Fatal(err)
		}
	}
	if err := in.ResolveIncident(e, inc[0].Key); err != nil {
		e.t.Fatalf("resolve %s: %v", typ, err)
	}
	if left := e.incidents(); len(left) != 0 {
		e.t.Fatalf("after resolving %s: incidents %+v", typ, left)
	}
	return roundTrip(e.t, in)
}

func TestResolveIncidentOfEveryType(t *testing.T) {
	t.Run("IO_MAPPING_ERROR on activation", func(t *testing.T) {
		e := newTestEnv(t)
		d := e.deploy(doc(`<bpmn:startEvent id="s"/>`+task("a", "a", `<zeebe:ioMapping><zeebe:input source="=string length(name)" target="n"/></zeebe:ioMapping>`)+flow("f", "s", "a", ""), ""))
		in := e.start(d, `{"name":5}`)
		in = e.resolveAfter(in, IncidentIOMapping, `{"name":"abc"}`)
		if v := in.VisibleVariables(e.job("a").ElementInstanceKey, []string{"n"}); string(v["n"]) != "3" {
			t.Fatalf("n = %s", v["n"])
		}
	})
	t.Run("IO_MAPPING_ERROR on completion", func(t *testing.T) {
		e := newTestEnv(t)
		d := e.deploy(doc(`<bpmn:startEvent id="s"/>`+task("a", "a", `<zeebe:ioMapping><zeebe:output source="=string length(name)" target="n"/></zeebe:ioMapping>`)+task("b", "b", "")+flow("f", "s", "a", "")+flow("f2", "a", "b", ""), ""))
		in := e.start(d, `{}`)
		in = e.complete(in, e.job("a"), `{"name":5}`)
		if active(in) != "a" {
			t.Fatalf("active %s", active(in))
		}
		// the job's variables are local to a (output mappings): fix them there
		ak := in.Elements[func() int64 {
			for k, ei := range in.Elements {
				if ei.ElementID == "a" {
					return k
				}
			}
			return 0
		}()].Key
		if err := in.SetVariables(e, ak, jsonVars(t, `{"name":"abcd"}`), true); err != nil {
			t.Fatal(err)
		}
		in = e.resolveAfter(in, IncidentIOMapping, "")
		if active(in) != "b" || rootVar(t, in, "n") != "4" {
			t.Fatalf("active %s root %v", active(in), in.RootVariables())
		}
	})
	t.Run("EXTRACT_VALUE_ERROR job type, correlation key, input collection", func(t *testing.T) {
		e := newTestEnv(t)
		d := e.deploy(doc(`<bpmn:startEvent id="s"/><bpmn:serviceTask id="a"><bpmn:extensionElements><zeebe:taskDefinition type="=kind"/></bpmn:extensionElements></bpmn:serviceTask>`+flow("f", "s", "a", ""), ""))
		in := e.start(d, `{"kind":{"x":1}}`)
		e.resolveAfter(in, IncidentExtractValue, `{"kind":"work"}`)
		e.job("work")

		d = e.deploy(doc(`<bpmn:startEvent id="s"/><bpmn:receiveTask id="r" messageRef="M"/>`+flow("f", "s", "r", ""), msgRefs))
		in = e.start(d, `{"orderId":{"x":1},"msgName":"paid"}`)
		in = e.resolveAfter(in, IncidentExtractValue, `{"orderId":"o-9"}`)
		e.correlate(in, "paid", "o-9", "")

		d = e.deploy(doc(`<bpmn:startEvent id="s"/><bpmn:serviceTask id="each"><bpmn:extensionElements><zeebe:taskDefinition type="each"/></bpmn:extensionElements>`+
			`<bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=items"/></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics></bpmn:serviceTask>`+flow("f", "s", "each", ""), ""))
		in = e.start(d, `{"items":"no"}`)
		e.resolveAfter(in, IncidentExtractValue, `{"items":[1,2]}`)
		if n := len(e.jobsOf("each")); n != 2 {
			t.Fatalf("%d jobs", n)
		}
	})
	t.Run("CONDITION_ERROR completion condition", func(t *testing.T) {
		e := newTestEnv(t)
		d := e.deploy(doc(`<bpmn:startEvent id="s"/><bpmn:serviceTask id="each"><bpmn:extensionElements><zeebe:taskDefinition type="each"/></bpmn:extensionElements>`+
			`<bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=[1,2]"/></bpmn:extensionElements><bpmn:completionCondition>=stop</bpmn:completionCondition></bpmn:multiInstanceLoopCharacteristics></bpmn:serviceTask>`+
			task("after", "after", "")+flow("f", "s", "each", "")+flow("f2", "each", "after", ""), ""))
		in := e.start(d, `{"stop":"maybe"}`)
		in = e.complete(in, e.jobsOf("each")[0], "")
		in = e.resolveAfter(in, IncidentConditionError, `{"stop":true}`)
		if active(in) != "after" {
			t.Fatalf("the completion condition must end the body: active %s", active(in))
		}
	})
	t.Run("CALLED_ELEMENT_ERROR", func(t *testing.T) {
		e := newTestEnv(t)
		d := e.deploy(doc(`<bpmn:startEvent id="s"/><bpmn:callActivity id="call"><bpmn:extensionElements><zeebe:calledElement processId="later"/></bpmn:extensionElements></bpmn:callActivity>`+flow("f", "s", "call", ""), ""))
		in := e.start(d, `{}`)
		e.deploy(`<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D2" targetNamespace="t">
<bpmn:process id="later" isExecutable="true"><bpmn:startEvent id="cs"/></bpmn:process></bpmn:definitions>`)
		in = e.resolveAfter(in, IncidentCalledElement, "")
		if len(e.children) != 1 || in.Elements[e.children[0].ParentElementInstanceKey].ChildInstanceKey == 0 {
			t.Fatalf("children %+v", e.children)
		}
	})
	t.Run("UNHANDLED_ERROR_EVENT", func(t *testing.T) {
		e := newTestEnv(t)
		// from an error end event: resolving retries the throw, which is still not caught
		d := e.deploy(doc(`<bpmn:startEvent id="s"/><bpmn:endEvent id="boom"><bpmn:errorEventDefinition errorRef="E"/></bpmn:endEvent>`+flow("f", "s", "boom", ""), `<bpmn:error id="E" errorCode="X"/>`))
		in := e.start(d, `{}`)
		first := e.incidents()
		if len(first) != 1 || first[0].Type != IncidentUnhandledError || first[0].ElementID != "boom" {
			t.Fatalf("incidents %+v", first)
		}
		if err := in.ResolveIncident(e, first[0].Key); err != nil {
			t.Fatal(err)
		}
		again := e.incidents()
		if len(again) != 1 || again[0].Key == first[0].Key || again[0].Type != IncidentUnhandledError || active(in) != "boom" {
			t.Fatalf("the throw must fail again with a new incident: %+v active %s", again, active(in))
		}
		// from a job: a job incident, which the store resolves (the job becomes activatable)
		d = e.deploy(doc(`<bpmn:startEvent id="s"/>`+task("a", "a", "")+flow("f", "s", "a", ""), ""))
		in = e.start(d, `{}`)
		j := e.job("a")
		if err := in.ThrowError(e, j, "NOPE", "", nil); err != nil {
			t.Fatal(err)
		}
		var jobInc Incident
		for _, i := range e.incidents() {
			if i.JobKey == j.Key {
				jobInc = i
			}
		}
		if err := in.ResolveIncident(e, jobInc.Key); !errors.Is(err, ErrElementNotFound) {
			t.Fatalf("a job incident is the store's to resolve: %v", err)
		}
		in = e.complete(in, j, "")
		if in.State != InstanceCompleted {
			t.Fatalf("the job must still complete its task after the unhandled throw: %s", in.State)
		}
	})
}

// Modification on a multi-instance activity: activating it runs a new body; terminating the
// body ends every inner instance.
func TestModifyMultiInstanceBody(t *testing.T) {
	e := newTestEnv(t)
	d := e.deploy(doc(`<bpmn:startEvent id="s"/>`+task("a", "a", "")+
		`<bpmn:serviceTask id="each"><bpmn:extensionElements><zeebe:taskDefinition type="each"/></bpmn:extensionElements>`+
		`<bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=items" inputElement="item"/></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics></bpmn:serviceTask>`+
		flow("f", "s", "a", ""), ""))
	in := e.start(d, `{"items":[1,2,3]}`)
	if err := in.Modify(e, []ActivateInstruction{{ElementID: "each"}}, nil); err != nil {
		t.Fatal(err)
	}
	in = roundTrip(t, in)
	jobs := e.jobsOf("each")
	if len(jobs) != 3 || active(in) != "a,each,each,each,each" {
		t.Fatalf("jobs %d active %s", len(jobs), active(in))
	}
	body := in.Elements[jobs[0].ElementInstanceKey].FlowScopeKey
	if in.Elements[body].Type != "MULTI_INSTANCE_BODY" {
		t.Fatalf("inner instances must sit in the body: %+v", in.Elements[body])
	}
	if err := in.Modify(e, nil, []int64{body}); err != nil {
		t.Fatal(err)
	}
	in = roundTrip(t, in)
	if active(in) != "a" || len(e.jobsOf("each")) != 0 {
		t.Fatalf("active %s jobs %v", active(in), e.jobTypes())
	}
}
