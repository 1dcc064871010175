package model

import "testing"

// doc wraps a process body (and root-level messages, errors, signals) into a definitions
// document written the way Camunda Modeler writes it.
func doc(body, refs string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:modeler="http://camunda.org/schema/modeler/1.0" id="D" targetNamespace="t" modeler:executionPlatform="Camunda Cloud">
<bpmn:process id="p" isExecutable="true">` + body + `</bpmn:process>` + refs + `</bpmn:definitions>`
}

func mustParse(t *testing.T, xml string) *Process {
	t.Helper()
	defs, err := Parse("test.bpmn", []byte(xml))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return defs.Processes[0]
}

const startToEnd = `<bpmn:startEvent id="s"/><bpmn:endEvent id="e"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="e"/>`

func TestAnyPrefixOrDefaultNamespace(t *testing.T) {
	docs := map[string]string{
		"bpmn2 prefix": `<bpmn2:definitions xmlns:bpmn2="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:z="http://camunda.org/schema/zeebe/1.0">
<bpmn2:process id="p" isExecutable="true"><bpmn2:startEvent id="s"/><bpmn2:serviceTask id="t"><bpmn2:extensionElements><z:taskDefinition type="work"/></bpmn2:extensionElements></bpmn2:serviceTask>
<bpmn2:sequenceFlow id="f" sourceRef="s" targetRef="t"/></bpmn2:process></bpmn2:definitions>`,
		"default namespace": `<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0">
<process id="p" isExecutable="true"><startEvent id="s"/><serviceTask id="t"><extensionElements><zeebe:taskDefinition type="work"/></extensionElements></serviceTask>
<sequenceFlow id="f" sourceRef="s" targetRef="t"/></process></definitions>`,
	}
	for name, x := range docs {
		t.Run(name, func(t *testing.T) {
			p := mustParse(t, x)
			task := p.Element("t")
			if task.Type != ServiceTask || task.JobType.Source != "work" || task.JobRetries.Source != "3" || p.Flows["f"].Target != task {
				t.Errorf("task: %+v", task)
			}
		})
	}
}

func TestOnlyExecutableProcesses(t *testing.T) {
	x := `<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">
<bpmn:process id="a" isExecutable="true"><bpmn:startEvent id="a_s"/></bpmn:process>
<bpmn:process id="b" isExecutable="false"><bpmn:scriptTask id="x"/></bpmn:process>
<bpmn:process id="c" isExecutable="true"><bpmn:startEvent id="c_s"/></bpmn:process></bpmn:definitions>`
	defs, err := Parse("two.bpmn", []byte(x))
	if err != nil {
		t.Fatal(err)
	}
	if len(defs.Processes) != 2 || defs.Processes[0].ID != "a" || defs.Processes[1].ID != "c" {
		t.Fatalf("processes: %d", len(defs.Processes))
	}
	if defs.Processes[1].Element("a_s") != nil || defs.Processes[1].NoneStartEvent().ID != "c_s" {
		t.Errorf("process c holds elements of a")
	}
}

func TestProcessStartEvents(t *testing.T) {
	p := mustParse(t, doc(`
<bpmn:startEvent id="none"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
<bpmn:startEvent id="msg"><bpmn:messageEventDefinition messageRef="M"/></bpmn:startEvent>
<bpmn:startEvent id="tim"><bpmn:timerEventDefinition><bpmn:timeCycle>R3/PT10S</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:startEvent>
<bpmn:startEvent id="sig"><bpmn:signalEventDefinition signalRef="S"/></bpmn:startEvent>
<bpmn:endEvent id="e"/>
<bpmn:sequenceFlow id="f1" sourceRef="none" targetRef="e"/><bpmn:sequenceFlow id="f2" sourceRef="msg" targetRef="e"/>
<bpmn:sequenceFlow id="f3" sourceRef="tim" targetRef="e"/><bpmn:sequenceFlow id="f4" sourceRef="sig" targetRef="e"/>`,
		`<bpmn:message id="M" name="order-placed"/><bpmn:signal id="S" name="go"/>`))
	if len(p.Root.StartEvents) != 4 || p.NoneStartEvent().ID != "none" {
		t.Fatalf("start events: %d", len(p.Root.StartEvents))
	}
	msg := p.StartEventsOf(MessageEvent)
	if len(msg) != 1 || msg[0].Message.Name.Source != "order-placed" || msg[0].Message.CorrelationKey != nil {
		t.Errorf("message start: %+v", msg)
	}
	tim := p.StartEventsOf(TimerEvent)
	if len(tim) != 1 || tim[0].Timer.Kind != TimerCycle || tim[0].Timer.Value.Source != "R3/PT10S" || !tim[0].Timer.Value.Static {
		t.Errorf("timer start: %+v", tim[0].Timer)
	}
	sig := p.StartEventsOf(SignalEvent)
	if len(sig) != 1 || sig[0].Signal.ID != "S" || sig[0].Signal.Name.Source != "go" {
		t.Errorf("signal start: %+v", sig)
	}
	if e := p.Element("e"); len(e.Incoming) != 4 {
		t.Errorf("end incoming %d", len(e.Incoming))
	}
}

func TestEndAndIntermediateEvents(t *testing.T) {
	p := mustParse(t, doc(`
<bpmn:startEvent id="s"/>
<bpmn:intermediateThrowEvent id="throw"/>
<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDuration>PT5M</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
<bpmn:intermediateCatchEvent id="until"><bpmn:timerEventDefinition><bpmn:timeDate>=deadline</bpmn:timeDate></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
<bpmn:intermediateCatchEvent id="msg"><bpmn:messageEventDefinition messageRef="M"/></bpmn:intermediateCatchEvent>
<bpmn:parallelGateway id="split"/>
<bpmn:endEvent id="term"><bpmn:terminateEventDefinition/></bpmn:endEvent>
<bpmn:endEvent id="sig"><bpmn:signalEventDefinition signalRef="S"/></bpmn:endEvent>
<bpmn:endEvent id="err"><bpmn:errorEventDefinition errorRef="E"/></bpmn:endEvent>
<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="throw"/><bpmn:sequenceFlow id="f2" sourceRef="throw" targetRef="wait"/>
<bpmn:sequenceFlow id="f3" sourceRef="wait" targetRef="until"/><bpmn:sequenceFlow id="f4" sourceRef="until" targetRef="msg"/>
<bpmn:sequenceFlow id="f5" sourceRef="msg" targetRef="split"/><bpmn:sequenceFlow id="f6" sourceRef="split" targetRef="term"/>
<bpmn:sequenceFlow id="f7" sourceRef="split" targetRef="sig"/><bpmn:sequenceFlow id="f8" sourceRef="split" targetRef="err"/>`,
		`<bpmn:message id="M" name="=&quot;m-&quot; + kind"><bpmn:extensionElements><zeebe:subscription correlationKey="=orderId"/></bpmn:extensionElements></bpmn:message>
<bpmn:signal id="S" name="=signalName"/><bpmn:error id="E" errorCode="=code"/>`))
	checks := []struct {
		id   string
		typ  ElementType
		ev   EventType
		also func(e *Element) bool
	}{
		{"throw", IntermediateThrowEvent, NoneEvent, func(e *Element) bool { return true }},
		{"wait", IntermediateCatchEvent, TimerEvent, func(e *Element) bool { return e.Timer.Kind == TimerDuration && e.Timer.Value.Source == "PT5M" }},
		{"until", IntermediateCatchEvent, TimerEvent, func(e *Element) bool { return e.Timer.Kind == TimerDate && !e.Timer.Value.Static }},
		{"msg", IntermediateCatchEvent, MessageEvent, func(e *Element) bool {
			return e.Message.Name.Source == `="m-" + kind` && !e.Message.Name.Static && e.Message.CorrelationKey.Source == "=orderId"
		}},
		{"term", EndEvent, TerminateEvent, func(e *Element) bool { return true }},
		{"sig", EndEvent, SignalEvent, func(e *Element) bool { return !e.Signal.Name.Static }},
		{"err", EndEvent, ErrorEvent, func(e *Element) bool { return e.Error.Code.Source == "=code" && !e.Error.Code.Static }},
	}
	for _, c := range checks {
		e := p.Element(c.id)
		if e.Type != c.typ || e.EventType != c.ev || !c.also(e) {
			t.Errorf("%s: %s %s", c.id, e.Type, e.EventType)
		}
	}
	if split := p.Element("split"); split.Type != ParallelGateway || len(split.Outgoing) != 3 {
		t.Errorf("parallel split")
	}
}

func TestServiceTaskDetails(t *testing.T) {
	p := mustParse(t, doc(`<bpmn:startEvent id="s"/>
<bpmn:serviceTask id="t"><bpmn:extensionElements>
  <zeebe:taskDefinition type="=&quot;work-&quot; + region" retries="=tries"/>
  <zeebe:taskHeaders><zeebe:header key="a" value="1"/><zeebe:header key="b" value="2"/></zeebe:taskHeaders>
  <zeebe:ioMapping><zeebe:input source="=x" target="y.z"/><zeebe:output source="=result" target="out"/></zeebe:ioMapping>
  <zeebe:properties><zeebe:property name="p" value="v"/></zeebe:properties>
  <camunda:whatever xmlns:camunda="http://camunda.org/schema/1.0/bpmn"/>
</bpmn:extensionElements></bpmn:serviceTask>
<bpmn:manualTask id="m"/><bpmn:task id="plain"/>
<bpmn:sequenceFlow id="f" sourceRef="s" targetRef="t"/><bpmn:sequenceFlow id="g" sourceRef="t" targetRef="m"/><bpmn:sequenceFlow id="h" sourceRef="m" targetRef="plain"/>`, ""))
	task := p.Element("t")
	if task.JobType.Static || task.JobRetries.Static || task.JobRetries.Source != "=tries" {
		t.Errorf("job: %+v %+v", task.JobType, task.JobRetries)
	}
	if len(task.Headers) != 2 || task.Headers[1] != (Header{Key: "b", Value: "2"}) {
		t.Errorf("headers: %+v", task.Headers)
	}
	if len(task.Inputs) != 1 || task.Inputs[0].Target != "y.z" || len(task.Outputs) != 1 || task.Outputs[0].Source.Source != "=result" {
		t.Errorf("mappings: %+v %+v", task.Inputs, task.Outputs)
	}
	if p.Element("m").Type != ManualTask || p.Element("plain").Type != Task || p.Element("plain").JobType != nil {
		t.Errorf("pass-through tasks")
	}
}

func TestJobBasedUserTask(t *testing.T) {
	p := mustParse(t, doc(`<bpmn:startEvent id="s"/>
<bpmn:userTask id="u"><bpmn:extensionElements>
  <zeebe:assignmentDefinition assignee="=owner" candidateUsers="ann, bob" candidateGroups="=groups"/>
  <zeebe:taskSchedule dueDate="2030-01-01T00:00:00Z" followUpDate="=followUp"/>
  <zeebe:taskHeaders><zeebe:header key="k" value="v"/></zeebe:taskHeaders>
</bpmn:extensionElements></bpmn:userTask>
<bpmn:sequenceFlow id="f" sourceRef="s" targetRef="u"/>`, ""))
	u := p.Element("u")
	if u.JobType.Source != UserTaskJobType || u.JobRetries.Source != "1" {
		t.Fatalf("job: %+v", u)
	}
	got := map[string]Header{}
	for _, h := range u.Headers {
		got[h.Key] = h
	}
	if got["k"].Value != "v" || got["io.camunda.zeebe:candidateUsers"].Value != `["ann","bob"]` ||
		got["io.camunda.zeebe:dueDate"].Value != "2030-01-01T00:00:00Z" {
		t.Errorf("static headers: %+v", u.Headers)
	}
	for _, k := range []string{"io.camunda.zeebe:assignee", "io.camunda.zeebe:candidateGroups", "io.camunda.zeebe:followUpDate"} {
		if got[k].Expr == nil || got[k].Expr.Static {
			t.Errorf("%s should carry a FEEL expression: %+v", k, got[k])
		}
	}
	if len(u.Headers) != 6 {
		t.Errorf("headers: %d", len(u.Headers))
	}
}

func TestGateways(t *testing.T) {
	p := mustParse(t, doc(`<bpmn:startEvent id="s"/>
<bpmn:inclusiveGateway id="inc" default="fd"/>
<bpmn:eventBasedGateway id="evg"/>
<bpmn:intermediateCatchEvent id="m"><bpmn:messageEventDefinition messageRef="M"/></bpmn:intermediateCatchEvent>
<bpmn:intermediateCatchEvent id="t"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
<bpmn:endEvent id="e1"/><bpmn:endEvent id="e2"/><bpmn:endEvent id="e3"/>
<bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="inc"/>
<bpmn:sequenceFlow id="fa" sourceRef="inc" targetRef="evg"><bpmn:conditionExpression>=a</bpmn:conditionExpression></bpmn:sequenceFlow>
<bpmn:sequenceFlow id="fd" sourceRef="inc" targetRef="e1"/>
<bpmn:sequenceFlow id="fm" sourceRef="evg" targetRef="m"/><bpmn:sequenceFlow id="ft" sourceRef="evg" targetRef="t"/>
<bpmn:sequenceFlow id="fm2" sourceRef="m" targetRef="e2"/><bpmn:sequenceFlow id="ft2" sourceRef="t" targetRef="e3"/>`,
		`<bpmn:message id="M" name="n"><bpmn:extensionElements><zeebe:subscription correlationKey="=k"/></bpmn:extensionElements></bpmn:message>`))
	inc := p.Element("inc")
	if inc.Type != InclusiveGateway || inc.DefaultFlow != p.Flows["fd"] || p.Flows["fa"].Condition.Source != "=a" {
		t.Errorf("inclusive: %+v", inc)
	}
	evg := p.Element("evg")
	if evg.Type != EventBasedGateway || len(evg.Outgoing) != 2 || evg.Outgoing[1].Target.Timer == nil {
		t.Errorf("event-based: %+v", evg)
	}
}

func TestEventSubprocessesAndBoundaries(t *testing.T) {
	p := mustParse(t, doc(`<bpmn:startEvent id="s"/>
<bpmn:subProcess id="sub">
  <bpmn:startEvent id="sub_s"/><bpmn:serviceTask id="work"><bpmn:extensionElements><zeebe:taskDefinition type="w"/></bpmn:extensionElements></bpmn:serviceTask>
  <bpmn:sequenceFlow id="sf" sourceRef="sub_s" targetRef="work"/>
  <bpmn:subProcess id="esp_err" triggeredByEvent="true">
    <bpmn:startEvent id="esp_err_s"><bpmn:errorEventDefinition/></bpmn:startEvent><bpmn:endEvent id="esp_err_e"/>
    <bpmn:sequenceFlow id="ef" sourceRef="esp_err_s" targetRef="esp_err_e"/>
  </bpmn:subProcess>
</bpmn:subProcess>
<bpmn:subProcess id="esp_tim" triggeredByEvent="true">
  <bpmn:startEvent id="esp_tim_s" isInterrupting="false"><bpmn:timerEventDefinition><bpmn:timeCycle>R/PT1H</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:startEvent>
  <bpmn:endEvent id="esp_tim_e"/><bpmn:sequenceFlow id="tf" sourceRef="esp_tim_s" targetRef="esp_tim_e"/>
</bpmn:subProcess>
<bpmn:subProcess id="esp_sig" triggeredByEvent="true">
  <bpmn:startEvent id="esp_sig_s"><bpmn:signalEventDefinition signalRef="S"/></bpmn:startEvent>
  <bpmn:endEvent id="esp_sig_e"/><bpmn:sequenceFlow id="gf" sourceRef="esp_sig_s" targetRef="esp_sig_e"/>
</bpmn:subProcess>
<bpmn:boundaryEvent id="b_msg" attachedToRef="sub" cancelActivity="false"><bpmn:outgoing>bf1</bpmn:outgoing><bpmn:messageEventDefinition messageRef="M"/></bpmn:boundaryEvent>
<bpmn:boundaryEvent id="b_sig" attachedToRef="sub"><bpmn:outgoing>bf2</bpmn:outgoing><bpmn:signalEventDefinition signalRef="S"/></bpmn:boundaryEvent>
<bpmn:boundaryEvent id="b_cyc" attachedToRef="sub" cancelActivity="false"><bpmn:outgoing>bf3</bpmn:outgoing><bpmn:timerEventDefinition><bpmn:timeCycle>R2/PT1M</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:boundaryEvent>
<bpmn:boundaryEvent id="b_err" attachedToRef="sub"><bpmn:outgoing>bf4</bpmn:outgoing><bpmn:errorEventDefinition errorRef="E"/></bpmn:boundaryEvent>
<bpmn:endEvent id="e"/>
<bpmn:sequenceFlow id="f" sourceRef="s" targetRef="sub"/><bpmn:sequenceFlow id="f2" sourceRef="sub" targetRef="e"/>
<bpmn:sequenceFlow id="bf1" sourceRef="b_msg" targetRef="e"/><bpmn:sequenceFlow id="bf2" sourceRef="b_sig" targetRef="e"/>
<bpmn:sequenceFlow id="bf3" sourceRef="b_cyc" targetRef="e"/><bpmn:sequenceFlow id="bf4" sourceRef="b_err" targetRef="e"/>`,
		`<bpmn:message id="M" name="n"><bpmn:extensionElements><zeebe:subscription correlationKey="=k"/></bpmn:extensionElements></bpmn:message>
<bpmn:signal id="S" name="stop"/><bpmn:error id="E" errorCode="BAD"/>`))
	sub := p.Element("sub")
	if len(sub.EventSubProcesses) != 1 || sub.ErrorEventSubProcess("ANY") != p.Element("esp_err") {
		t.Errorf("error event subprocess catch-all: %v", sub.ErrorEventSubProcess("ANY"))
	}
	if p.Element("esp_err_s").Error != nil || p.Element("esp_err").Parent != sub || p.Element("esp_err_e").Parent != p.Element("esp_err") {
		t.Errorf("esp_err scope")
	}
	espTim := p.Element("esp_tim")
	if espTim.Interrupting || espTim.StartEvents[0].Timer.Kind != TimerCycle || len(p.Root.EventSubProcesses) != 2 {
		t.Errorf("esp_tim: interrupting=%v", espTim.Interrupting)
	}
	if !p.Element("esp_sig").Interrupting || p.Element("esp_sig_s").Signal.Name.Source != "stop" {
		t.Errorf("esp_sig")
	}
	if len(p.Root.StartEvents) != 1 {
		t.Errorf("event subprocess starts leaked into the process: %d", len(p.Root.StartEvents))
	}
	if len(sub.BoundaryEvents) != 4 || p.Element("b_msg").Interrupting || !p.Element("b_sig").Interrupting || p.Element("b_cyc").Interrupting {
		t.Errorf("boundaries")
	}
	if sub.ErrorBoundary("BAD") != p.Element("b_err") || sub.ErrorBoundary("OTHER") != nil {
		t.Errorf("error boundary match")
	}
	if p.Element("b_msg").Parent != p.Root || p.Element("b_msg").AttachedTo != sub {
		t.Errorf("boundary parent/attachment")
	}
}

func TestMultiInstanceAndCallActivity(t *testing.T) {
	p := mustParse(t, doc(`<bpmn:startEvent id="s"/>
<bpmn:callActivity id="call"><bpmn:extensionElements><zeebe:calledElement processId="child" propagateAllChildVariables="false"/></bpmn:extensionElements>
  <bpmn:multiInstanceLoopCharacteristics>
    <bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=items" inputElement="item" outputCollection="results" outputElement="=result"/></bpmn:extensionElements>
    <bpmn:completionCondition xsi:type="bpmn:tFormalExpression">=numberOfCompletedInstances &gt;= 2</bpmn:completionCondition>
  </bpmn:multiInstanceLoopCharacteristics>
</bpmn:callActivity>
<bpmn:callActivity id="dyn"><bpmn:extensionElements><zeebe:calledElement processId="=childId"/></bpmn:extensionElements></bpmn:callActivity>
<bpmn:sequenceFlow id="f" sourceRef="s" targetRef="call"/><bpmn:sequenceFlow id="g" sourceRef="call" targetRef="dyn"/>`, ""))
	call := p.Element("call")
	if call.CalledElement.Source != "child" || call.PropagateAllChildVariables || !call.PropagateAllParentVariables {
		t.Errorf("call: %+v", call)
	}
	l := call.Loop
	if l == nil || l.Sequential || l.InputElement != "item" || l.OutputCollection != "results" || l.OutputElement.Source != "=result" ||
		l.CompletionCondition.Source != "=numberOfCompletedInstances >= 2" || !call.IsMultiInstance() {
		t.Errorf("loop: %+v", l)
	}
	dyn := p.Element("dyn")
	if dyn.CalledElement.Static || !dyn.PropagateAllChildVariables || !dyn.PropagateAllParentVariables || dyn.IsMultiInstance() {
		t.Errorf("dyn: %+v", dyn)
	}
}

func TestStaticTimerValues(t *testing.T) {
	good := []struct {
		kind  TimerKind
		value string
	}{
		{TimerDuration, "PT15M"}, {TimerDuration, "P1DT2H"}, {TimerDate, "2030-01-01T10:00:00Z"},
		{TimerCycle, "R/PT1H"}, {TimerCycle, "R5/2030-01-01T10:00:00Z/P1D"}, {TimerCycle, "0 0 9-17 * * MON-FRI"},
	}
	for _, g := range good {
		if err := checkStaticTimer(g.kind, g.value); err != nil {
			t.Errorf("%s %q rejected: %v", g.kind, g.value, err)
		}
	}
	bad := []struct {
		kind  TimerKind
		value string
	}{
		{TimerDuration, "15m"}, {TimerDate, "2030-13-01"}, {TimerCycle, "Rx/PT1H"}, {TimerCycle, "R3"}, {TimerCycle, "every day"},
	}
	for _, b := range bad {
		if err := checkStaticTimer(b.kind, b.value); err == nil {
			t.Errorf("%s %q accepted", b.kind, b.value)
		}
	}
}
