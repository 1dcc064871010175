package runtime

import "testing"

func TestInclusiveGatewayForkAndJoin(t *testing.T) {
	e := newTestEnv(t)
	d := e.deploy(doc(`<bpmn:startEvent id="s"/><bpmn:inclusiveGateway id="fork"/><bpmn:inclusiveGateway id="join"/>`+
		task("a", "a", "")+task("b", "b", "")+task("c", "c", "")+task("after", "after", "")+
		flow("f0", "s", "fork", "")+flow("fa", "fork", "a", "=x &gt; 0")+flow("fb", "fork", "b", "=x &gt; 1")+flow("fc", "fork", "c", "=x &gt; 2")+
		flow("ja", "a", "join", "")+flow("jb", "b", "join", "")+flow("jc", "c", "join", "")+flow("j", "join", "after", ""), ""))
	in := e.start(d, `{"x":2}`)
	if active(in) != "a,b" {
		t.Fatalf("fork: %s", active(in))
	}
	in = e.complete(in, e.job("a"), "")
	if active(in) != "b" {
		t.Fatalf("join must wait for b: %s", active(in))
	}
	in = e.complete(in, e.job("b"), "")
	if active(in) != "after" {
		t.Fatalf("join must fire without c: %s", active(in))
	}
	e.start(d, `{"x":0}`)
	if inc := e.incidents(); len(inc) != 1 || inc[0].Type != IncidentConditionError || inc[0].ElementID != "fork" {
		t.Fatalf("no flow: %+v", inc)
	}
}

func TestEventBasedGatewayFirstWins(t *testing.T) {
	e := newTestEnv(t)
	d := e.deploy(doc(`<bpmn:startEvent id="s"/><bpmn:eventBasedGateway id="g"/>`+
		`<bpmn:intermediateCatchEvent id="paid"><bpmn:messageEventDefinition messageRef="M"/></bpmn:intermediateCatchEvent>`+
		`<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDuration>PT5M</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>`+
		task("ship", "ship", "")+task("remind", "remind", "")+
		flow("f0", "s", "g", "")+flow("f1", "g", "paid", "")+flow("f2", "g", "wait", "")+flow("f3", "paid", "ship", "")+flow("f4", "wait", "remind", ""), msgRefs))
	in := e.start(d, `{"orderId":"o","msgName":"paid"}`)
	if len(e.subs) != 1 || len(e.timers) != 1 || active(in) != "g" {
		t.Fatalf("subs %d timers %d active %s", len(e.subs), len(e.timers), active(in))
	}
	in = e.fire(in, "wait")
	if active(in) != "remind" || len(e.subs) != 0 || !e.didComplete("wait") {
		t.Fatalf("active %s subs %v", active(in), e.subs)
	}
}

func TestTerminateEndEventEndsInstance(t *testing.T) {
	e := newTestEnv(t)
	d := e.deploy(doc(`<bpmn:startEvent id="s"/><bpmn:parallelGateway id="fork"/>`+task("a", "a", "")+task("b", "b", "")+
		`<bpmn:endEvent id="kill"><bpmn:terminateEventDefinition/></bpmn:endEvent>`+
		flow("f0", "s", "fork", "")+flow("f1", "fork", "a", "")+flow("f2", "fork", "b", "")+flow("f3", "a", "kill", ""), ""))
	in := e.start(d, `{}`)
	b := e.job("b")
	in = e.complete(in, e.job("a"), "")
	if in.State != InstanceCompleted || len(in.Elements) != 0 {
		t.Fatalf("state %s active %s", in.State, active(in))
	}
	if _, open := e.jobs[b.Key]; open {
		t.Fatal("b's job must be cancelled")
	}
}

func TestCallActivityAndCancel(t *testing.T) {
	e := newTestEnv(t)
	child := e.deploy(`<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="D2" targetNamespace="t">
<bpmn:process id="child" isExecutable="true"><bpmn:startEvent id="cs"/><bpmn:endEvent id="ce"/><bpmn:sequenceFlow id="c1" sourceRef="cs" targetRef="ce"/></bpmn:process></bpmn:definitions>`)
	d := e.deploy(doc(`<bpmn:startEvent id="s"/><bpmn:callActivity id="call"><bpmn:extensionElements><zeebe:calledElement processId="=childId" propagateAllChildVariables="false"/>`+
		`<zeebe:ioMapping><zeebe:output source="=answer" target="fromChild"/></zeebe:ioMapping></bpmn:extensionElements></bpmn:callActivity>`+task("after", "after", "")+
		flow("f0", "s", "call", "")+flow("f1", "call", "after", ""), ""))
	in := e.start(d, `{"childId":"child","x":1}`)
	if len(e.children) != 1 || e.children[0].Definition != child || string(e.children[0].Variables["x"]) != "1" {
		t.Fatalf("children %+v", e.children)
	}
	callKey := e.children[0].ParentElementInstanceKey
	childKey := in.Elements[callKey].ChildInstanceKey
	// the child runs to its end and tells the parent
	ci, err := Start(e, child, StartRequest{Key: childKey, Variables: Vars{"answer": []byte("42"), "other": []byte("1")}, ParentInstanceKey: in.Key, ParentElementInstanceKey: callKey})
	if err != nil || ci.State != InstanceCompleted || len(e.notices) != 1 {
		t.Fatalf("child %v %v notices %v", err, ci, e.notices)
	}
	if err := in.ChildEnded(e, e.notices[0]); err != nil {
		t.Fatal(err)
	}
	in = roundTrip(t, in)
	if active(in) != "after" || rootVar(t, in, "fromChild") != "42" || rootVar(t, in, "other") != "" {
		t.Fatalf("active %s vars %v", active(in), in.RootVariables())
	}

	in = e.start(d, `{"childId":"child"}`)
	callKey = e.children[1].ParentElementInstanceKey
	childKey = in.Elements[callKey].ChildInstanceKey
	if err := in.Cancel(e); err != nil {
		t.Fatal(err)
	}
	if in.State != InstanceTerminated || len(in.Elements) != 0 || len(e.terminated) != 1 || e.terminated[0] != childKey {
		t.Fatalf("state %s terminated %v", in.State, e.terminated)
	}

	e.start(d, `{"childId":"missing"}`)
	if inc := e.incidents(); len(inc) != 1 || inc[0].Type != IncidentCalledElement {
		t.Fatalf("incidents %+v", inc)
	}
}

func TestModify(t *testing.T) {
	e := newTestEnv(t)
	d := e.deploy(doc(`<bpmn:startEvent id="s"/>`+task("a", "a", "")+
		`<bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/>`+task("deep", "deep", "")+flow("i1", "ss", "deep", "")+`</bpmn:subProcess>`+
		`<bpmn:intermediateCatchEvent id="go"><bpmn:messageEventDefinition messageRef="M"/></bpmn:intermediateCatchEvent>`+task("after", "after", "")+
		flow("f0", "s", "a", "")+flow("f1", "go", "after", ""), msgRefs))
	in := e.start(d, `{"orderId":"o","msgName":"go"}`)
	a := e.job("a")
	err := in.Modify(e, []ActivateInstruction{
		{ElementID: "deep", Variables: []ScopedVars{{ScopeID: "sub", Variables: Vars{"v": []byte(`"local"`)}}}},
		{ElementID: "go"},
	}, []int64{a.ElementInstanceKey})
	if err != nil {
		t.Fatal(err)
	}
	in = roundTrip(t, in)
	if active(in) != "deep,go,sub" || len(e.subs) != 1 {
		t.Fatalf("active %s subs %v", active(in), e.subs)
	}
	deep := e.job("deep")
	if v := in.VisibleVariables(deep.ElementInstanceKey, nil); string(v["v"]) != `"local"` {
		t.Fatalf("deep sees %v", v)
	}
	in = e.correlate(in, "go", "o", `{"sig":true}`)
	if active(in) != "after,deep,sub" || rootVar(t, in, "sig") != "true" {
		t.Fatalf("after message: %s", active(in))
	}
	if err := in.Modify(e, nil, []int64{12345}); err == nil {
		t.Fatal("terminating an unknown element instance must fail")
	}
}
