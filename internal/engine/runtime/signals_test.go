package runtime

import "testing"

const signalRefs = `<bpmn:signal id="S" name="alarm"/>`

// signal broadcasts the signal to every open subscription of the instance with that name.
func (e *testEnv) signal(in *Instance, name, vars string) *Instance {
	e.t.Helper()
	n := 0
	for _, s := range e.signals {
		if s.SignalName == name && s.ProcessInstanceKey == in.Key {
			if err := in.TriggerSignal(e, s, jsonVars(e.t, vars)); err != nil {
				e.t.Fatalf("signal %s: %v", name, err)
			}
			n++
		}
	}
	if n == 0 {
		e.t.Fatalf("no signal subscription for %s (open: %v)", name, e.signals)
	}
	return roundTrip(e.t, in)
}

func TestSignalIntermediateCatch(t *testing.T) {
	e := newTestEnv(t)
	d := e.deploy(doc(`<bpmn:startEvent id="s"/><bpmn:intermediateCatchEvent id="wait"><bpmn:signalEventDefinition signalRef="S"/></bpmn:intermediateCatchEvent>`+
		task("after", "after", "")+flow("f1", "s", "wait", "")+flow("f2", "wait", "after", ""), signalRefs))
	in := e.start(d, `{}`)
	if active(in) != "wait" || len(e.signals) != 1 {
		t.Fatalf("active %s signals %v", active(in), e.signals)
	}
	in = e.signal(in, "alarm", `{"level":3}`)
	if active(in) != "after" || rootVar(t, in, "level") != "3" || len(e.signals) != 0 {
		t.Fatalf("active %s vars %v signals %v", active(in), in.RootVariables(), e.signals)
	}
}

func TestSignalBoundaryInterruptingAndNot(t *testing.T) {
	e := newTestEnv(t)
	boundary := func(interrupting string) string {
		return doc(`<bpmn:startEvent id="s"/>`+task("a", "a", "")+
			`<bpmn:boundaryEvent id="b" cancelActivity="`+interrupting+`" attachedToRef="a"><bpmn:outgoing>f2</bpmn:outgoing><bpmn:signalEventDefinition signalRef="S"/></bpmn:boundaryEvent>`+
			task("onSignal", "onSignal", "")+flow("f1", "s", "a", "")+flow("f2", "b", "onSignal", ""), signalRefs)
	}
	d := e.deploy(boundary("true"))
	in := e.start(d, `{}`)
	a := e.job("a")
	in = e.signal(in, "alarm", "")
	if active(in) != "onSignal" || len(e.signals) != 0 {
		t.Fatalf("interrupting: active %s signals %v", active(in), e.signals)
	}
	if _, open := e.jobs[a.Key]; open {
		t.Fatal("the interrupted task's job must be cancelled")
	}
	e.complete(in, e.job("onSignal"), "")

	d = e.deploy(boundary("false"))
	in = e.start(d, `{}`)
	in = e.signal(in, "alarm", "")
	in = e.signal(in, "alarm", "") // still subscribed: a second broadcast triggers again
	if active(in) != "a,onSignal,onSignal" || len(e.signals) != 1 {
		t.Fatalf("non-interrupting: active %s signals %v", active(in), e.signals)
	}
	in = e.complete(in, e.job("a"), "")
	if len(e.signals) != 0 {
		t.Fatalf("completing the task must close its boundary subscription: %v", e.signals)
	}
}

func TestSignalEventSubprocessStart(t *testing.T) {
	e := newTestEnv(t)
	esp := func(interrupting string) string {
		return doc(`<bpmn:startEvent id="s"/>`+task("a", "a", "")+flow("f1", "s", "a", "")+
			`<bpmn:subProcess id="onAlarm" triggeredByEvent="true"><bpmn:startEvent id="as" isInterrupting="`+interrupting+`"><bpmn:signalEventDefinition signalRef="S"/></bpmn:startEvent>`+
			task("h", "h", "")+flow("h1", "as", "h", "")+`</bpmn:subProcess>`, signalRefs)
	}
	d := e.deploy(esp("true"))
	in := e.start(d, `{}`)
	a := e.job("a")
	in = e.signal(in, "alarm", `{"why":"fire"}`)
	if active(in) != "h,onAlarm" || len(e.signals) != 0 || rootVar(t, in, "why") != `"fire"` {
		t.Fatalf("interrupting: active %s signals %v vars %v", active(in), e.signals, in.RootVariables())
	}
	if _, open := e.jobs[a.Key]; open {
		t.Fatal("the interrupting event subprocess must cancel a's job")
	}
	in = e.complete(in, e.job("h"), "")
	if in.State != InstanceCompleted {
		t.Fatalf("state %s", in.State)
	}

	d = e.deploy(esp("false"))
	in = e.start(d, `{}`)
	in = e.signal(in, "alarm", "")
	in = e.signal(in, "alarm", "")
	if active(in) != "a,h,h,onAlarm,onAlarm" || len(e.signals) != 1 {
		t.Fatalf("non-interrupting: active %s signals %v", active(in), e.signals)
	}
	for _, j := range e.jobsOf("h") {
		in = e.complete(in, j, "")
	}
	in = e.complete(in, e.job("a"), "")
	if in.State != InstanceCompleted || len(e.signals) != 0 {
		t.Fatalf("state %s signals %v", in.State, e.signals)
	}
}
