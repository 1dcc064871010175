package runtime

import (
	"testing"
	"time"
)

const msgRefs = `<bpmn:message id="M" name="=msgName"><bpmn:extensionElements><zeebe:subscription correlationKey="=orderId"/></bpmn:extensionElements></bpmn:message>`

func TestReceiveTaskCorrelatesBufferedAndLater(t *testing.T) {
	e := newTestEnv(t)
	d := e.deploy(doc(`<bpmn:startEvent id="s"/><bpmn:receiveTask id="r" messageRef="M"/>`+task("a", "a", "")+
		flow("f1", "s", "r", "")+flow("f2", "r", "a", ""), msgRefs))
	in := e.start(d, `{"orderId":42,"msgName":"paid"}`)
	if len(e.subs) != 1 {
		t.Fatalf("subs %v", e.subs)
	}
	for _, s := range e.subs {
		if s.CorrelationKey != "42" || s.MessageName != "paid" {
			t.Fatalf("sub %+v", s)
		}
	}
	in = e.correlate(in, "paid", "42", `{"amount":10}`)
	if active(in) != "a" || rootVar(t, in, "amount") != "10" || len(e.subs) != 0 {
		t.Fatalf("active %s vars %v subs %v", active(in), in.RootVariables(), e.subs)
	}

	// a buffered message correlates when the subscription opens
	e.buffer = append(e.buffer, Message{Key: e.NewKey(), Name: "paid", CorrelationKey: "7", Variables: jsonVars(t, `{"amount":3}`)})
	in = e.start(d, `{"orderId":"7","msgName":"paid"}`)
	if active(in) != "a" || rootVar(t, in, "amount") != "3" {
		t.Fatalf("buffered: active %s vars %v", active(in), in.RootVariables())
	}

	// a correlation key that is not a string or number is an incident
	in = e.start(d, `{"orderId":{"x":1},"msgName":"paid"}`)
	inc := e.incidents()
	if len(inc) != 1 || inc[0].Type != IncidentExtractValue || active(in) != "r" {
		t.Fatalf("incidents %+v active %s", inc, active(in))
	}
}

func TestBoundaryTimerInterruptsAndNonInterruptingCycleRearms(t *testing.T) {
	e := newTestEnv(t)
	d := e.deploy(doc(`<bpmn:startEvent id="s"/>`+task("a", "a", "")+
		`<bpmn:boundaryEvent id="late" attachedToRef="a"><bpmn:outgoing>f3</bpmn:outgoing><bpmn:timerEventDefinition><bpmn:timeDuration>=timeout</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>`+
		`<bpmn:boundaryEvent id="remind" cancelActivity="false" attachedToRef="a"><bpmn:outgoing>f4</bpmn:outgoing><bpmn:timerEventDefinition><bpmn:timeCycle>R2/PT1M</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:boundaryEvent>`+
		task("onLate", "late", "")+task("onRemind", "remind", "")+
		flow("f1", "s", "a", "")+flow("f3", "late", "onLate", "")+flow("f4", "remind", "onRemind", ""), ""))
	in := e.start(d, `{"timeout":"PT1H"}`)
	if len(e.timers) != 2 {
		t.Fatalf("timers %v", e.timers)
	}
	for _, tm := range e.timers {
		if tm.ElementID == "late" && !tm.DueAt.Equal(e.now.Add(time.Hour)) {
			t.Fatalf("due %v", tm.DueAt)
		}
	}
	in = e.fire(in, "remind")
	if active(in) != "a,onRemind" || len(e.timers) != 2 {
		t.Fatalf("after remind: active %s timers %d", active(in), len(e.timers))
	}
	in = e.fire(in, "remind") // second and last repetition
	if len(e.timers) != 1 {
		t.Fatalf("cycle must stop after R2: timers %v", e.timers)
	}
	aJob := e.job("a")
	in = e.fire(in, "late")
	if active(in) != "onLate,onRemind,onRemind" || len(e.timers) != 0 {
		t.Fatalf("after late: active %s timers %v", active(in), e.timers)
	}
	if _, open := e.jobs[aJob.Key]; open {
		t.Fatal("the interrupted task's job must be cancelled")
	}
	if err := in.CompleteJob(e, aJob, nil); err == nil {
		t.Fatal("completing the cancelled job must fail")
	}
}

func TestErrorsBoundaryEventSubprocessAndUnhandled(t *testing.T) {
	e := newTestEnv(t)
	d := e.deploy(doc(`<bpmn:startEvent id="s"/>`+
		`<bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/>`+task("a", "a", "")+flow("i1", "ss", "a", "")+
		`<bpmn:subProcess id="handler" triggeredByEvent="true"><bpmn:startEvent id="hs"><bpmn:errorEventDefinition errorRef="E2"/></bpmn:startEvent>`+task("h", "h", "")+flow("h1", "hs", "h", "")+`</bpmn:subProcess>`+
		`</bpmn:subProcess>`+
		`<bpmn:boundaryEvent id="caught" attachedToRef="sub"><bpmn:outgoing>f2</bpmn:outgoing><bpmn:errorEventDefinition errorRef="E1"/></bpmn:boundaryEvent>`+
		task("onErr", "onErr", "")+flow("f1", "s", "sub", "")+flow("f2", "caught", "onErr", ""),
		`<bpmn:error id="E1" errorCode="ONE"/><bpmn:error id="E2" errorCode="TWO"/>`))
	in := e.start(d, `{}`)
	in = e.throw(in, e.job("a"), "ONE", `{"why":"x"}`)
	if active(in) != "onErr" || rootVar(t, in, "why") != `"x"` {
		t.Fatalf("boundary: active %s vars %v", active(in), in.RootVariables())
	}

	in = e.start(d, `{}`)
	in = e.throw(in, e.job("a"), "TWO", "")
	if active(in) != "h,handler,sub" {
		t.Fatalf("event subprocess: active %s", active(in))
	}
	in = e.complete(in, e.job("h"), "")
	if !e.didComplete("sub") || active(in) != "" || in.State != InstanceCompleted {
		t.Fatalf("after handler: active %s state %s", active(in), in.State)
	}

	in = e.start(d, `{}`)
	j := e.job("a")
	if err := in.ThrowError(e, j, "NOPE", "m", nil); err != nil {
		t.Fatal(err)
	}
	inc := e.incidents()
	if len(inc) != 1 || inc[0].Type != IncidentUnhandledError || inc[0].JobKey != j.Key || active(in) != "a,sub" {
		t.Fatalf("unhandled: %+v active %s", inc, active(in))
	}
}

func TestMessageEventSubprocessInterruptsScope(t *testing.T) {
	e := newTestEnv(t)
	d := e.deploy(doc(`<bpmn:startEvent id="s"/>`+task("a", "a", "")+flow("f1", "s", "a", "")+
		`<bpmn:subProcess id="cancel" triggeredByEvent="true"><bpmn:startEvent id="cs"><bpmn:messageEventDefinition messageRef="C"/></bpmn:startEvent>`+task("c", "c", "")+flow("c1", "cs", "c", "")+`</bpmn:subProcess>`,
		`<bpmn:message id="C" name="cancel"><bpmn:extensionElements><zeebe:subscription correlationKey="=orderId"/></bpmn:extensionElements></bpmn:message>`))
	in := e.start(d, `{"orderId":"o1"}`)
	a := e.job("a")
	in = e.correlate(in, "cancel", "o1", `{"reason":"customer"}`)
	if active(in) != "c,cancel" || rootVar(t, in, "reason") != `"customer"` {
		t.Fatalf("active %s vars %v", active(in), in.RootVariables())
	}
	if _, open := e.jobs[a.Key]; open || len(e.subs) != 0 {
		t.Fatalf("job a must be cancelled, subscriptions closed: %v", e.subs)
	}
	in = e.complete(in, e.job("c"), "")
	if in.State != InstanceCompleted {
		t.Fatalf("state %s", in.State)
	}
}

func TestMultiInstanceParallelSequentialAndEmpty(t *testing.T) {
	e := newTestEnv(t)
	loop := func(seq string) string {
		return `<bpmn:serviceTask id="each"><bpmn:extensionElements><zeebe:taskDefinition type="each"/></bpmn:extensionElements>` +
			`<bpmn:multiInstanceLoopCharacteristics isSequential="` + seq + `"><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=items" inputElement="item" outputCollection="results" outputElement="=item * 10"/></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics></bpmn:serviceTask>`
	}
	for _, seq := range []string{"false", "true"} {
		d := e.deploy(doc(`<bpmn:startEvent id="s"/>`+loop(seq)+task("after", "after", "")+flow("f1", "s", "each", "")+flow("f2", "each", "after", ""), ""))
		in := e.start(d, `{"items":[1,2,3]}`)
		want := 3
		if seq == "true" {
			want = 1
		}
		if n := len(e.jobsOf("each")); n != want {
			t.Fatalf("sequential=%s: %d jobs, want %d", seq, n, want)
		}
		for i := 0; i < 3; i++ {
			jobs := e.jobsOf("each")
			j := jobs[len(jobs)-1]
			v := in.VisibleVariables(j.ElementInstanceKey, []string{"item", "loopCounter"})
			if seq == "true" && string(v["loopCounter"]) != string(rune('1'+i)) {
				t.Fatalf("loopCounter %s at %d", v["loopCounter"], i)
			}
			in = e.complete(in, j, "")
		}
		if rootVar(t, in, "results") != "[10,20,30]" || active(in) != "after" {
			t.Fatalf("sequential=%s: results %s active %s", seq, rootVar(t, in, "results"), active(in))
		}
		e.complete(in, e.job("after"), "")
	}
	d := e.deploy(doc(`<bpmn:startEvent id="s"/>`+loop("false")+task("after", "after", "")+flow("f1", "s", "each", "")+flow("f2", "each", "after", ""), ""))
	in := e.start(d, `{"items":[]}`)
	if active(in) != "after" || rootVar(t, in, "results") != "[]" {
		t.Fatalf("empty: active %s results %s", active(in), rootVar(t, in, "results"))
	}
	e.complete(in, e.job("after"), "")
	in = e.start(d, `{"items":"nope"}`)
	if inc := e.incidents(); len(inc) != 1 || inc[0].Type != IncidentExtractValue || active(in) != "each" {
		t.Fatalf("not a list: %+v active %s", inc, active(in))
	}
}
