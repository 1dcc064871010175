package runtime

import (
	"errors"
	"testing"
	"time"
)

// Each test here pins a behaviour docs.camunda.io (8.6) describes; the page is named above it.

// error-events, "Variable mappings": error variables are passed into the error catch event and
// reach the process instance only through the catch event's output mappings.
func TestErrorVariablesStayOnTheCatchEventUnlessMapped(t *testing.T) {
	e := newTestEnv(t)
	proc := func(mapping string) string {
		return doc(`<bpmn:startEvent id="s"/>`+task("a", "a", "")+
			`<bpmn:boundaryEvent id="caught" attachedToRef="a">`+mapping+`<bpmn:outgoing>f2</bpmn:outgoing><bpmn:errorEventDefinition errorRef="E1"/></bpmn:boundaryEvent>`+
			task("onErr", "onErr", "")+flow("f1", "s", "a", "")+flow("f2", "caught", "onErr", ""),
			`<bpmn:error id="E1" errorCode="ONE"/>`)
	}
	d := e.deploy(proc(""))
	in := e.start(d, `{}`)
	in = e.throw(in, e.job("a"), "ONE", `{"why":"x"}`)
	if active(in) != "onErr" || rootVar(t, in, "why") != "" {
		t.Fatalf("without output mappings the error variables must not be merged: active %s root %v", active(in), in.RootVariables())
	}
	d = e.deploy(proc(`<bpmn:extensionElements><zeebe:ioMapping><zeebe:output source="=why" target="reason"/></zeebe:ioMapping></bpmn:extensionElements>`))
	in = e.start(d, `{}`)
	in = e.throw(in, e.job("a"), "ONE", `{"why":"x"}`)
	if rootVar(t, in, "reason") != `"x"` || rootVar(t, in, "why") != "" {
		t.Fatalf("the output mapping must merge reason only: root %v", in.RootVariables())
	}
}

// error-events, "Catching the error": at one scope the boundary events and the event
// subprocesses are matched together, and the event with the matching code beats a catch-all.
func TestErrorMatchingCodeBeatsCatchAllInTheSameScope(t *testing.T) {
	e := newTestEnv(t)
	d := e.deploy(doc(`<bpmn:startEvent id="s"/>`+
		`<bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/>`+task("a", "a", "")+flow("i1", "ss", "a", "")+
		`<bpmn:subProcess id="all" triggeredByEvent="true"><bpmn:startEvent id="as"><bpmn:errorEventDefinition/></bpmn:startEvent>`+task("h", "h", "")+flow("h1", "as", "h", "")+`</bpmn:subProcess>`+
		`</bpmn:subProcess>`+
		`<bpmn:boundaryEvent id="one" attachedToRef="sub"><bpmn:outgoing>f2</bpmn:outgoing><bpmn:errorEventDefinition errorRef="E1"/></bpmn:boundaryEvent>`+
		task("onOne", "onOne", "")+flow("f1", "s", "sub", "")+flow("f2", "one", "onOne", ""),
		`<bpmn:error id="E1" errorCode="ONE"/>`))
	in := e.start(d, `{}`)
	in = e.throw(in, e.job("a"), "ONE", "")
	if active(in) != "onOne" {
		t.Fatalf("the boundary event with code ONE must catch: active %s", active(in))
	}
	in = e.start(d, `{}`)
	in = e.throw(in, e.job("a"), "OTHER", "")
	if active(in) != "all,h,sub" {
		t.Fatalf("the catch-all event subprocess must catch OTHER: active %s", active(in))
	}
}

// multi-instance, "Collecting the output": an outputElement that only accesses a variable makes
// that variable local to each instance, so job results stay in the instance.
func TestMultiInstanceOutputElementVariableIsLocal(t *testing.T) {
	e := newTestEnv(t)
	d := e.deploy(doc(`<bpmn:startEvent id="s"/>`+
		`<bpmn:serviceTask id="each"><bpmn:extensionElements><zeebe:taskDefinition type="each"/></bpmn:extensionElements>`+
		`<bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=items" inputElement="item" outputCollection="results" outputElement="=result"/></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics></bpmn:serviceTask>`+
		task("after", "after", "")+flow("f1", "s", "each", "")+flow("f2", "each", "after", ""), ""))
	in := e.start(d, `{"items":[1,2]}`)
	jobs := e.jobsOf("each")
	if v, ok := in.VisibleVariables(jobs[0].ElementInstanceKey, nil)["result"]; !ok || string(v) != "null" {
		t.Fatalf("result must start as a local null of the instance, have %q (ok=%v)", v, ok)
	}
	in = e.complete(in, jobs[1], `{"result":"b"}`)
	in = e.complete(in, jobs[0], `{"result":"a"}`)
	if rootVar(t, in, "results") != `["a","b"]` || rootVar(t, in, "result") != "" {
		t.Fatalf("results %s, root result %q (must not be merged)", rootVar(t, in, "results"), rootVar(t, in, "result"))
	}
}

// timer-events, "Time cycle" and "Time date": a date-time may carry a zone id in brackets.
func TestTimerDateAndCycleWithZoneID(t *testing.T) {
	e := newTestEnv(t)
	d := e.deploy(doc(`<bpmn:startEvent id="s"/>`+task("a", "a", "")+
		`<bpmn:boundaryEvent id="at" attachedToRef="a"><bpmn:outgoing>f2</bpmn:outgoing><bpmn:timerEventDefinition><bpmn:timeDate>=date</bpmn:timeDate></bpmn:timerEventDefinition></bpmn:boundaryEvent>`+
		`<bpmn:boundaryEvent id="every" cancelActivity="false" attachedToRef="a"><bpmn:outgoing>f3</bpmn:outgoing><bpmn:timerEventDefinition><bpmn:timeCycle>=cycle</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:boundaryEvent>`+
		task("b", "b", "")+task("c", "c", "")+flow("f1", "s", "a", "")+flow("f2", "at", "b", "")+flow("f3", "every", "c", ""), ""))
	e.start(d, `{"date":"2025-01-03T08:00:00+01:00[Europe/Berlin]","cycle":"R/2025-01-02T12:00:00+02:00[Europe/Berlin]/P1D"}`)
	if inc := e.incidents(); len(inc) != 0 {
		t.Fatalf("incidents %+v", inc)
	}
	want := map[string]time.Time{"at": time.Date(2025, 1, 3, 7, 0, 0, 0, time.UTC), "every": time.Date(2025, 1, 2, 10, 0, 0, 0, time.UTC)}
	for _, tm := range e.timers {
		if !tm.DueAt.Equal(want[tm.ElementID]) {
			t.Fatalf("timer %s due %v, want %v", tm.ElementID, tm.DueAt, want[tm.ElementID])
		}
	}
	if len(e.timers) != 2 {
		t.Fatalf("timers %v", e.timers)
	}
}

// timer-events, "Time cycle": a cycle may be a cron expression.
func TestTimerCycleCron(t *testing.T) {
	e := newTestEnv(t) // now: Thursday 2025-01-02 10:00 UTC
	d := e.deploy(doc(`<bpmn:startEvent id="s"/>`+task("a", "a", "")+
		`<bpmn:boundaryEvent id="every" cancelActivity="false" attachedToRef="a"><bpmn:outgoing>f3</bpmn:outgoing><bpmn:timerEventDefinition><bpmn:timeCycle>0 30 9-17 * * MON-FRI</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:boundaryEvent>`+
		task("c", "c", "")+flow("f1", "s", "a", "")+flow("f3", "every", "c", ""), ""))
	in := e.start(d, `{}`)
	if inc := e.incidents(); len(inc) != 0 {
		t.Fatalf("incidents %+v", inc)
	}
	due := func() time.Time {
		for _, tm := range e.timers {
			return tm.DueAt
		}
		t.Fatal("no timer")
		return time.Time{}
	}
	if got := due(); !got.Equal(time.Date(2025, 1, 2, 10, 30, 0, 0, time.UTC)) {
		t.Fatalf("first due %v", got)
	}
	e.now = time.Date(2025, 1, 3, 17, 30, 0, 0, time.UTC) // Friday, last slot of the day
	for _, tm := range e.timers {
		tm.DueAt = e.now
		e.timers[tm.Key] = tm
	}
	e.fire(in, "every")
	if got := due(); !got.Equal(time.Date(2025, 1, 6, 9, 30, 0, 0, time.UTC)) {
		t.Fatalf("after Friday 17:30 the next slot is Monday 9:30, have %v", got)
	}
}

// process-instance-modification, "Terminate an element instance": terminating the last active
// instance of the process instance terminates it (it does not complete).
func TestModifyTerminatingTheLastElementTerminatesTheInstance(t *testing.T) {
	e := newTestEnv(t)
	d := e.deploy(doc(`<bpmn:startEvent id="s"/><bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/>`+task("a", "a", "")+flow("i1", "ss", "a", "")+`</bpmn:subProcess>`+
		task("b", "b", "")+flow("f0", "s", "sub", ""), ""))
	in := e.start(d, `{}`)
	a := e.job("a")
	if err := in.Modify(e, []ActivateInstruction{{ElementID: "b"}}, []int64{a.ElementInstanceKey}); err != nil {
		t.Fatal(err)
	}
	in = roundTrip(t, in)
	if active(in) != "b" || e.didComplete("sub") {
		t.Fatalf("the emptied subprocess must be terminated, not completed: active %s completed %v", active(in), e.completed())
	}
	if err := in.Modify(e, nil, []int64{e.job("b").ElementInstanceKey}); err != nil {
		t.Fatal(err)
	}
	if in.State != InstanceTerminated || e.didComplete("p") {
		t.Fatalf("state %s completed %v", in.State, e.completed())
	}
}

// process-instance-modification, "Execute the modification instructions": activations apply
// before terminations, so activating inside the scope whose last element is terminated keeps it.
func TestModifyActivatesBeforeTerminating(t *testing.T) {
	e := newTestEnv(t)
	d := e.deploy(doc(`<bpmn:startEvent id="s"/><bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/>`+task("a", "a", "")+task("c", "c", "")+flow("i1", "ss", "a", "")+`</bpmn:subProcess>`+
		flow("f0", "s", "sub", ""), ""))
	in := e.start(d, `{}`)
	subKey := in.Elements[e.job("a").ElementInstanceKey].FlowScopeKey
	if err := in.Modify(e, []ActivateInstruction{{ElementID: "c"}}, []int64{e.job("a").ElementInstanceKey}); err != nil {
		t.Fatal(err)
	}
	in = roundTrip(t, in)
	if active(in) != "c,sub" || in.Elements[e.job("c").ElementInstanceKey].FlowScopeKey != subKey {
		t.Fatalf("c must run in the existing subprocess instance: active %s", active(in))
	}
}

// process-instance-modification, "Activate a nested element": a created flow scope gets its
// subscriptions but neither its start event nor its input mappings.
func TestModifyCreatedFlowScopeSkipsInputMappings(t *testing.T) {
	e := newTestEnv(t)
	d := e.deploy(doc(`<bpmn:startEvent id="s"/>`+task("a", "a", "")+
		`<bpmn:subProcess id="sub"><bpmn:extensionElements><zeebe:ioMapping><zeebe:input source="=1" target="local"/></zeebe:ioMapping></bpmn:extensionElements>`+
		`<bpmn:startEvent id="ss"/>`+task("first", "first", "")+task("deep", "deep", "")+flow("i1", "ss", "first", "")+`</bpmn:subProcess>`+
		`<bpmn:boundaryEvent id="late" attachedToRef="sub"><bpmn:outgoing>f3</bpmn:outgoing><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>`+
		task("onLate", "onLate", "")+flow("f0", "s", "a", "")+flow("f3", "late", "onLate", ""), ""))
	in := e.start(d, `{}`)
	if err := in.Modify(e, []ActivateInstruction{{ElementID: "deep"}}, nil); err != nil {
		t.Fatal(err)
	}
	in = roundTrip(t, in)
	if active(in) != "a,deep,sub" || len(e.timers) != 1 {
		t.Fatalf("active %s timers %v", active(in), e.timers)
	}
	if v := in.VisibleVariables(e.job("deep").ElementInstanceKey, nil); v["local"] != nil {
		t.Fatalf("the created subprocess must not apply its input mappings: %v", v)
	}
}

// process-instance-modification, "Limitations" and "Terminate an element instance".
func TestModifyRejections(t *testing.T) {
	e := newTestEnv(t)
	d := e.deploy(doc(`<bpmn:startEvent id="s"/>`+task("a", "a", "")+
		`<bpmn:boundaryEvent id="late" attachedToRef="a"><bpmn:outgoing>f3</bpmn:outgoing><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>`+
		`<bpmn:subProcess id="loop"><bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=[1,2]"/></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics>`+
		`<bpmn:startEvent id="ls"/>`+task("inLoop", "inLoop", "")+flow("l1", "ls", "inLoop", "")+`</bpmn:subProcess>`+
		`<bpmn:eventBasedGateway id="g"/><bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDuration>PT5M</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>`+
		`<bpmn:intermediateCatchEvent id="wait2"><bpmn:timerEventDefinition><bpmn:timeDuration>PT9M</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>`+flow("g2", "g", "wait2", "")+
		task("onLate", "onLate", "")+flow("f0", "s", "a", "")+flow("f3", "late", "onLate", "")+flow("g1", "g", "wait", ""), ""))
	in := e.start(d, `{}`)
	for _, id := range []string{"s", "late", "inLoop", "wait", "f0", "ls"} {
		err := in.Modify(e, []ActivateInstruction{{ElementID: id}}, nil)
		if !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("activating %s: want ErrInvalidArgument, have %v", id, err)
		}
	}
	if active(in) != "a" {
		t.Fatalf("a rejected modification must change nothing: active %s", active(in))
	}
	// the multi-instance activity itself may be activated: its body runs
	if err := in.Modify(e, []ActivateInstruction{{ElementID: "loop"}}, nil); err != nil {
		t.Fatal(err)
	}
	in = roundTrip(t, in)
	if active(in) != "a,inLoop,inLoop,loop,loop,loop" {
		t.Fatalf("active %s", active(in))
	}

	// a called instance cannot lose its last active element
	child := e.start(d, `{}`)
	child.ParentInstanceKey, child.ParentElementInstanceKey = 99, 98
	err := child.Modify(e, nil, []int64{e.jobsOf("a")[1].ElementInstanceKey})
	if !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("terminating the last element of a child instance: want ErrInvalidArgument, have %v", err)
	}
}

// process-instance-modification, "Activate an interrupting event subprocess": the event
// subprocess is active and enters its start event.
func TestModifyActivatesEventSubprocessAtItsStart(t *testing.T) {
	e := newTestEnv(t)
	d := e.deploy(doc(`<bpmn:startEvent id="s"/>`+task("a", "a", "")+flow("f1", "s", "a", "")+
		`<bpmn:subProcess id="cancel" triggeredByEvent="true"><bpmn:startEvent id="cs"><bpmn:messageEventDefinition messageRef="C"/></bpmn:startEvent>`+task("c", "c", "")+flow("c1", "cs", "c", "")+`</bpmn:subProcess>`,
		`<bpmn:message id="C" name="cancel"><bpmn:extensionElements><zeebe:subscription correlationKey="=orderId"/></bpmn:extensionElements></bpmn:message>`))
	in := e.start(d, `{"orderId":"o1"}`)
	if err := in.Modify(e, []ActivateInstruction{{ElementID: "cancel"}}, nil); err != nil {
		t.Fatal(err)
	}
	in = roundTrip(t, in)
	if active(in) != "a,c,cancel" {
		t.Fatalf("active %s", active(in))
	}
}
