package model

import (
	"errors"
	"strings"
	"testing"

	"github.com/orderfleet/orderfleet/internal/engine/feel"
)

const (
	msgWithKey    = `<bpmn:message id="M" name="n"><bpmn:extensionElements><zeebe:subscription correlationKey="=k"/></bpmn:extensionElements></bpmn:message>`
	msgWithoutKey = `<bpmn:message id="M" name="n"/>`
	workType      = `<bpmn:extensionElements><zeebe:taskDefinition type="w"/></bpmn:extensionElements>`
)

// TestRejections has one row per deploy rule: the element named and the reason given.
func TestRejections(t *testing.T) {
	rows := []struct {
		rule, body, refs, id, reason string
	}{
		{"script task", `<bpmn:startEvent id="s"/><bpmn:scriptTask id="x"/>`, "", "x", "scriptTask is not supported"},
		{"business rule task", `<bpmn:startEvent id="s"/><bpmn:businessRuleTask id="x"><bpmn:extensionElements><zeebe:calledDecision decisionId="d" resultVariable="r"/></bpmn:extensionElements></bpmn:businessRuleTask>`, "", "x", "businessRuleTask is not supported"},
		{"send task", `<bpmn:startEvent id="s"/><bpmn:sendTask id="x"/>`, "", "x", "sendTask is not supported"},
		{"complex gateway", `<bpmn:startEvent id="s"/><bpmn:complexGateway id="x"/>`, "", "x", "complexGateway is not supported"},
		{"transaction", `<bpmn:startEvent id="s"/><bpmn:transaction id="x"/>`, "", "x", "transaction is not supported"},
		{"ad-hoc subprocess", `<bpmn:startEvent id="s"/><bpmn:adHocSubProcess id="x"/>`, "", "x", "adHocSubProcess is not supported"},
		{"compensation boundary", `<bpmn:startEvent id="s"/><bpmn:task id="a"/><bpmn:boundaryEvent id="x" attachedToRef="a"><bpmn:compensateEventDefinition/></bpmn:boundaryEvent>`, "", "x", "compensate boundary event is not supported"},
		{"compensation throw", `<bpmn:startEvent id="s"/><bpmn:intermediateThrowEvent id="x"><bpmn:compensateEventDefinition/></bpmn:intermediateThrowEvent>`, "", "x", "compensate intermediate throw event is not supported"},
		{"escalation end", `<bpmn:startEvent id="s"/><bpmn:endEvent id="x"><bpmn:escalationEventDefinition/></bpmn:endEvent>`, "", "x", "escalation end event is not supported"},
		{"link catch", `<bpmn:startEvent id="s"/><bpmn:intermediateCatchEvent id="x"><bpmn:linkEventDefinition name="l"/></bpmn:intermediateCatchEvent>`, "", "x", "link intermediate catch event is not supported"},
		{"conditional start", `<bpmn:startEvent id="x"><bpmn:conditionalEventDefinition/></bpmn:startEvent>`, "", "x", "conditional start event is not supported"},
		{"message throw", `<bpmn:startEvent id="s"/><bpmn:intermediateThrowEvent id="x"><bpmn:messageEventDefinition messageRef="M"/></bpmn:intermediateThrowEvent>`, msgWithKey, "x", "message intermediate throw event is not supported"},
		{"message end", `<bpmn:startEvent id="s"/><bpmn:endEvent id="x"><bpmn:messageEventDefinition messageRef="M"/></bpmn:endEvent>`, msgWithKey, "x", "message end event is not supported"},
		{"signal catch", `<bpmn:startEvent id="s"/><bpmn:intermediateCatchEvent id="x"><bpmn:signalEventDefinition signalRef="S"/></bpmn:intermediateCatchEvent>`, `<bpmn:signal id="S" name="s"/>`, "x", "signal intermediate catch event is not supported"},
		{"two event definitions", `<bpmn:startEvent id="s"/><bpmn:intermediateCatchEvent id="x"><bpmn:messageEventDefinition messageRef="M"/><bpmn:timerEventDefinition><bpmn:timeDuration>PT1S</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>`, msgWithKey, "x", "more than one event definition"},
		{"camunda-managed user task", `<bpmn:startEvent id="s"/><bpmn:userTask id="x"><bpmn:extensionElements><zeebe:userTask/></bpmn:extensionElements></bpmn:userTask>`, "", "x", "zeebe:userTask) is not supported"},
		{"zeebe script", `<bpmn:startEvent id="s"/><bpmn:serviceTask id="x"><bpmn:extensionElements><zeebe:taskDefinition type="w"/><zeebe:script expression="=1" resultVariable="r"/></bpmn:extensionElements></bpmn:serviceTask>`, "", "x", "zeebe:script is not supported"},
		{"execution listeners", `<bpmn:startEvent id="s"/><bpmn:serviceTask id="x"><bpmn:extensionElements><zeebe:taskDefinition type="w"/><zeebe:executionListeners/></bpmn:extensionElements></bpmn:serviceTask>`, "", "x", "zeebe:executionListeners is not supported"},
		{"service task without type", `<bpmn:startEvent id="s"/><bpmn:serviceTask id="x"/>`, "", "x", "service task without zeebe:taskDefinition type"},
		{"service task with empty type", `<bpmn:startEvent id="s"/><bpmn:serviceTask id="x"><bpmn:extensionElements><zeebe:taskDefinition type=" "/></bpmn:extensionElements></bpmn:serviceTask>`, "", "x", "service task without zeebe:taskDefinition type"},
		{"retries not a number", `<bpmn:startEvent id="s"/><bpmn:serviceTask id="x"><bpmn:extensionElements><zeebe:taskDefinition type="w" retries="three"/></bpmn:extensionElements></bpmn:serviceTask>`, "", "x", "retries 'three' is not a non-negative number"},
		{"receive task without message", `<bpmn:startEvent id="s"/><bpmn:receiveTask id="x"/>`, "", "x", "receive task without a message"},
		{"receive task without correlation key", `<bpmn:startEvent id="s"/><bpmn:receiveTask id="x" messageRef="M"/>`, msgWithoutKey, "x", "has no zeebe:subscription correlationKey"},
		{"message catch without message", `<bpmn:startEvent id="s"/><bpmn:intermediateCatchEvent id="x"><bpmn:messageEventDefinition/></bpmn:intermediateCatchEvent>`, "", "x", "message catch without a message"},
		{"message catch of unknown message", `<bpmn:startEvent id="s"/><bpmn:intermediateCatchEvent id="x"><bpmn:messageEventDefinition messageRef="Nope"/></bpmn:intermediateCatchEvent>`, "", "x", "message 'Nope' does not exist"},
		{"message catch without correlation key", `<bpmn:startEvent id="s"/><bpmn:intermediateCatchEvent id="x"><bpmn:messageEventDefinition messageRef="M"/></bpmn:intermediateCatchEvent>`, msgWithoutKey, "x", "has no zeebe:subscription correlationKey"},
		{"static correlation key", `<bpmn:startEvent id="s"/><bpmn:receiveTask id="x" messageRef="M"/>`, `<bpmn:message id="M" name="n"><bpmn:extensionElements><zeebe:subscription correlationKey="orderId"/></bpmn:extensionElements></bpmn:message>`, "x", "correlationKey must be a FEEL expression"},
		{"message without name", `<bpmn:startEvent id="s"/><bpmn:receiveTask id="x" messageRef="M"/>`, `<bpmn:message id="M"/>`, "x", "message 'M' has no name"},
		{"boundary without outgoing", `<bpmn:startEvent id="s"/>` + `<bpmn:serviceTask id="a">` + workType + `</bpmn:serviceTask><bpmn:boundaryEvent id="x" attachedToRef="a"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1S</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>`, "", "x", "boundary event without outgoing sequence flow"},
		{"boundary attached to nothing", `<bpmn:startEvent id="s"/><bpmn:endEvent id="e"/><bpmn:boundaryEvent id="x" attachedToRef="gone"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1S</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent><bpmn:sequenceFlow id="f" sourceRef="x" targetRef="e"/>`, "", "x", "attached to 'gone', which is not an element of its scope"},
		{"boundary attached to an event", `<bpmn:startEvent id="s"/><bpmn:endEvent id="e"/><bpmn:boundaryEvent id="x" attachedToRef="e"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1S</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent><bpmn:sequenceFlow id="f" sourceRef="x" targetRef="e"/>`, "", "x", "which is not an activity"},
		{"non-interrupting error boundary", `<bpmn:startEvent id="s"/><bpmn:task id="a"/><bpmn:endEvent id="e"/><bpmn:boundaryEvent id="x" attachedToRef="a" cancelActivity="false"><bpmn:errorEventDefinition/></bpmn:boundaryEvent><bpmn:sequenceFlow id="f" sourceRef="x" targetRef="e"/>`, "", "x", "error boundary events are always interrupting"},
		{"cycle on interrupting boundary", `<bpmn:startEvent id="s"/><bpmn:task id="a"/><bpmn:endEvent id="e"/><bpmn:boundaryEvent id="x" attachedToRef="a"><bpmn:timerEventDefinition><bpmn:timeCycle>R/PT1S</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:boundaryEvent><bpmn:sequenceFlow id="f" sourceRef="x" targetRef="e"/>`, "", "x", "timeCycle is not allowed on this boundary event"},
		{"duration on timer start", `<bpmn:startEvent id="x"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1S</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:startEvent>`, "", "x", "timeDuration is not allowed on this start event"},
		{"flow target missing", `<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="x" sourceRef="s" targetRef="gone"/>`, "", "x", "sequence flow target 'gone' does not exist"},
		{"flow source missing", `<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="x" sourceRef="" targetRef="s"/>`, "", "x", "sequence flow without a sourceRef"},
		{"flow into another scope", `<bpmn:startEvent id="s"/><bpmn:subProcess id="sub"><bpmn:startEvent id="inner"/></bpmn:subProcess><bpmn:sequenceFlow id="x" sourceRef="s" targetRef="inner"/>`, "", "x", "sequence flow target 'inner' is in another scope"},
		{"flow out of another scope", `<bpmn:startEvent id="s"/><bpmn:subProcess id="sub"><bpmn:startEvent id="inner"/><bpmn:sequenceFlow id="x" sourceRef="inner" targetRef="later"/></bpmn:subProcess><bpmn:endEvent id="later"/>`, "", "x", "sequence flow target 'later' is in another scope"},
		{"exclusive flow without condition", `<bpmn:startEvent id="s"/><bpmn:exclusiveGateway id="g"/><bpmn:endEvent id="e1"/><bpmn:endEvent id="e2"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="g"/><bpmn:sequenceFlow id="x" sourceRef="g" targetRef="e1"/><bpmn:sequenceFlow id="y" sourceRef="g" targetRef="e2"><bpmn:conditionExpression>=a</bpmn:conditionExpression></bpmn:sequenceFlow>`, "", "x", "has no condition and is not its default flow"},
		{"inclusive flow without condition", `<bpmn:startEvent id="s"/><bpmn:inclusiveGateway id="g" default="y"/><bpmn:endEvent id="e1"/><bpmn:endEvent id="e2"/><bpmn:endEvent id="e3"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="g"/><bpmn:sequenceFlow id="x" sourceRef="g" targetRef="e1"/><bpmn:sequenceFlow id="y" sourceRef="g" targetRef="e2"/><bpmn:sequenceFlow id="z" sourceRef="g" targetRef="e3"><bpmn:conditionExpression>=a</bpmn:conditionExpression></bpmn:sequenceFlow>`, "", "x", "has no condition and is not its default flow"},
		{"default flow not outgoing", `<bpmn:startEvent id="s"/><bpmn:exclusiveGateway id="x" default="f"/><bpmn:endEvent id="e"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="x"/><bpmn:sequenceFlow id="g" sourceRef="x" targetRef="e"/>`, "", "x", "default flow 'f' is not an outgoing sequence flow"},
		{"static condition", `<bpmn:startEvent id="s"/><bpmn:exclusiveGateway id="g"/><bpmn:endEvent id="e"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="g"/><bpmn:sequenceFlow id="x" sourceRef="g" targetRef="e"><bpmn:conditionExpression>a = 1</bpmn:conditionExpression></bpmn:sequenceFlow>`, "", "x", "condition must be a FEEL expression"},
		{"condition out of a task", `<bpmn:startEvent id="s"/><bpmn:task id="a"/><bpmn:endEvent id="e"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="a"/><bpmn:sequenceFlow id="x" sourceRef="a" targetRef="e"><bpmn:conditionExpression>=a</bpmn:conditionExpression></bpmn:sequenceFlow>`, "", "x", "only exclusive and inclusive gateways evaluate conditions"},
		{"subprocess without start", `<bpmn:startEvent id="s"/><bpmn:subProcess id="x"><bpmn:endEvent id="e"/></bpmn:subProcess>`, "", "x", "embedded subprocess must have exactly one none start event"},
		{"subprocess with message start", `<bpmn:startEvent id="s"/><bpmn:subProcess id="sub"><bpmn:startEvent id="x"><bpmn:messageEventDefinition messageRef="M"/></bpmn:startEvent></bpmn:subProcess>`, msgWithKey, "x", "message start event in an embedded subprocess is not supported"},
		{"process without start", `<bpmn:endEvent id="e"/>`, "", "p", "process without a start event"},
		{"two none starts", `<bpmn:startEvent id="s"/><bpmn:startEvent id="x"/>`, "", "x", "more than one none start event"},
		{"event subprocess none start", `<bpmn:startEvent id="s"/><bpmn:subProcess id="esp" triggeredByEvent="true"><bpmn:startEvent id="x"/></bpmn:subProcess>`, "", "x", "none start event in an event subprocess is not supported"},
		{"event subprocess with flows", `<bpmn:startEvent id="s"/><bpmn:subProcess id="x" triggeredByEvent="true"><bpmn:startEvent id="es"><bpmn:signalEventDefinition signalRef="S"/></bpmn:startEvent></bpmn:subProcess><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="x"/>`, `<bpmn:signal id="S" name="s"/>`, "x", "event subprocess with incoming or outgoing"},
		{"event subprocess message start without key", `<bpmn:startEvent id="s"/><bpmn:subProcess id="esp" triggeredByEvent="true"><bpmn:startEvent id="x"><bpmn:messageEventDefinition messageRef="M"/></bpmn:startEvent></bpmn:subProcess>`, msgWithoutKey, "x", "has no zeebe:subscription correlationKey"},
		{"non-interrupting error start", `<bpmn:startEvent id="s"/><bpmn:subProcess id="esp" triggeredByEvent="true"><bpmn:startEvent id="x" isInterrupting="false"><bpmn:errorEventDefinition/></bpmn:startEvent></bpmn:subProcess>`, "", "x", "error start events are always interrupting"},
		{"multi-instance without inputCollection", `<bpmn:startEvent id="s"/><bpmn:task id="x"><bpmn:multiInstanceLoopCharacteristics/></bpmn:task>`, "", "x", "multi-instance without zeebe:loopCharacteristics inputCollection"},
		{"multi-instance output half-set", `<bpmn:startEvent id="s"/><bpmn:task id="x"><bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=l" outputCollection="r"/></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics></bpmn:task>`, "", "x", "outputCollection and outputElement must be set together"},
		{"multi-instance static collection", `<bpmn:startEvent id="s"/><bpmn:task id="x"><bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="items"/></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics></bpmn:task>`, "", "x", "inputCollection must be a FEEL expression"},
		{"loop cardinality", `<bpmn:startEvent id="s"/><bpmn:task id="x"><bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>3</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics></bpmn:task>`, "", "x", "loopCardinality is not supported"},
		{"standard loop", `<bpmn:startEvent id="s"/><bpmn:task id="x"><bpmn:standardLoopCharacteristics/></bpmn:task>`, "", "x", "standard loop characteristics are not supported"},
		{"timer without value", `<bpmn:startEvent id="s"/><bpmn:intermediateCatchEvent id="x"><bpmn:timerEventDefinition/></bpmn:intermediateCatchEvent>`, "", "x", "timer without a value"},
		{"timer with empty value", `<bpmn:startEvent id="s"/><bpmn:intermediateCatchEvent id="x"><bpmn:timerEventDefinition><bpmn:timeDuration> </bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>`, "", "x", "timer without a value"},
		{"bad static duration", `<bpmn:startEvent id="s"/><bpmn:intermediateCatchEvent id="x"><bpmn:timerEventDefinition><bpmn:timeDuration>15 minutes</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>`, "", "x", "timer timeDuration '15 minutes': not an ISO-8601 duration"},
		{"bad static date", `<bpmn:startEvent id="s"/><bpmn:intermediateCatchEvent id="x"><bpmn:timerEventDefinition><bpmn:timeDate>tomorrow</bpmn:timeDate></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>`, "", "x", "not an ISO-8601 date-time"},
		{"bad static cycle", `<bpmn:startEvent id="x"><bpmn:timerEventDefinition><bpmn:timeCycle>R3/ten seconds</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:startEvent>`, "", "x", "interval of the repeating interval is not an ISO-8601 duration"},
		{"error end without errorRef", `<bpmn:startEvent id="s"/><bpmn:endEvent id="x"><bpmn:errorEventDefinition/></bpmn:endEvent>`, "", "x", "error end event without an error"},
		{"error end without errorCode", `<bpmn:startEvent id="s"/><bpmn:endEvent id="x"><bpmn:errorEventDefinition errorRef="E"/></bpmn:endEvent>`, `<bpmn:error id="E" name="e"/>`, "x", "has no errorCode"},
		{"caught error code as FEEL", `<bpmn:startEvent id="s"/><bpmn:task id="a"/><bpmn:endEvent id="e"/><bpmn:boundaryEvent id="x" attachedToRef="a"><bpmn:errorEventDefinition errorRef="E"/></bpmn:boundaryEvent><bpmn:sequenceFlow id="f" sourceRef="x" targetRef="e"/>`, `<bpmn:error id="E" errorCode="=code"/>`, "x", "a caught errorCode must be static"},
		{"signal without name", `<bpmn:startEvent id="s"/><bpmn:endEvent id="x"><bpmn:signalEventDefinition signalRef="S"/></bpmn:endEvent>`, `<bpmn:signal id="S"/>`, "x", "signal 'S' has no name"},
		{"event-based gateway to a task", `<bpmn:startEvent id="s"/><bpmn:eventBasedGateway id="x"/><bpmn:serviceTask id="t">` + workType + `</bpmn:serviceTask><bpmn:intermediateCatchEvent id="c"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1S</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="x"/><bpmn:sequenceFlow id="g" sourceRef="x" targetRef="t"/><bpmn:sequenceFlow id="h" sourceRef="x" targetRef="c"/>`, "", "x", "event-based gateway is followed by 't'"},
		{"event-based gateway with one flow", `<bpmn:startEvent id="s"/><bpmn:eventBasedGateway id="x"/><bpmn:intermediateCatchEvent id="c"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1S</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent><bpmn:sequenceFlow id="g" sourceRef="x" targetRef="c"/>`, "", "x", "at least two outgoing"},
		{"two error boundaries for one code", `<bpmn:startEvent id="s"/><bpmn:task id="a"/><bpmn:endEvent id="e"/><bpmn:boundaryEvent id="b1" attachedToRef="a"><bpmn:errorEventDefinition errorRef="E"/></bpmn:boundaryEvent><bpmn:boundaryEvent id="x" attachedToRef="a"><bpmn:errorEventDefinition errorRef="E"/></bpmn:boundaryEvent><bpmn:sequenceFlow id="f" sourceRef="b1" targetRef="e"/><bpmn:sequenceFlow id="g" sourceRef="x" targetRef="e"/>`, `<bpmn:error id="E" errorCode="C"/>`, "x", "another error catch event of 'a' already catches error code 'C'"},
		{"two catch-all error event subprocesses", `<bpmn:startEvent id="s"/><bpmn:subProcess id="e1" triggeredByEvent="true"><bpmn:startEvent id="s1"><bpmn:errorEventDefinition/></bpmn:startEvent></bpmn:subProcess><bpmn:subProcess id="e2" triggeredByEvent="true"><bpmn:startEvent id="x"><bpmn:errorEventDefinition/></bpmn:startEvent></bpmn:subProcess>`, "", "x", "already catches all errors"},
		{"duplicate id", `<bpmn:startEvent id="s"/><bpmn:task id="x"/><bpmn:task id="x"/>`, "", "x", "duplicate id"},
		{"call activity without processId", `<bpmn:startEvent id="s"/><bpmn:callActivity id="x"/>`, "", "x", "call activity without zeebe:calledElement processId"},
		{"call activity bad boolean", `<bpmn:startEvent id="s"/><bpmn:callActivity id="x"><bpmn:extensionElements><zeebe:calledElement processId="c" propagateAllChildVariables="yes"/></bpmn:extensionElements></bpmn:callActivity>`, "", "x", "propagateAllChildVariables='yes' is not a boolean"},
		{"input without target", `<bpmn:startEvent id="s"/><bpmn:task id="x"><bpmn:extensionElements><zeebe:ioMapping><zeebe:input source="=a"/></zeebe:ioMapping></bpmn:extensionElements></bpmn:task>`, "", "x", "zeebe:input without a target"},
		{"start event with incoming", `<bpmn:startEvent id="x"/><bpmn:task id="a"/><bpmn:sequenceFlow id="f" sourceRef="a" targetRef="x"/>`, "", "x", "start event with incoming"},
	}
	for _, r := range rows {
		t.Run(r.rule, func(t *testing.T) {
			_, err := Parse("test.bpmn", []byte(doc(r.body, r.refs)))
			assertRejected(t, err, r.id, r.reason)
		})
	}
}

func assertRejected(t *testing.T, err error, id, reason string) {
	t.Helper()
	if err == nil {
		t.Fatalf("accepted; want element '%s': %s", id, reason)
	}
	var des DeployErrors
	if !errors.As(err, &des) {
		t.Fatalf("error %T is not DeployErrors: %v", err, err)
	}
	want := "test.bpmn: element '" + id + "': "
	for _, d := range des {
		if d.ElementID == id && strings.Contains(d.Reason, reason) && strings.HasPrefix(d.Error(), want) {
			return
		}
	}
	t.Errorf("want %s...%s, got:\n%v", want, reason, err)
}

func TestRejectsDocuments(t *testing.T) {
	rows := []struct{ name, xml, want string }{
		{"no executable process", `<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"><bpmn:process id="p" isExecutable="false"/></bpmn:definitions>`, "test.bpmn: no executable process"},
		{"not BPMN", `<definitions xmlns="http://example.com/other"/>`, "test.bpmn: root element is {http://example.com/other}definitions, not a BPMN 2.0 definitions"},
		{"wrong zeebe namespace", `<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.1"><bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s"/><bpmn:serviceTask id="t"><bpmn:extensionElements><zeebe:taskDefinition type="w"/></bpmn:extensionElements></bpmn:serviceTask></bpmn:process></bpmn:definitions>`, "element 't': service task without zeebe:taskDefinition type"},
		{"truncated", `<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"><bpmn:process id="p" isExecutable="true">`, "test.bpmn: invalid XML"},
		{"empty", ``, "test.bpmn: invalid XML"},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			_, err := Parse("test.bpmn", []byte(r.xml))
			if err == nil || !strings.Contains(err.Error(), r.want) {
				t.Errorf("want %q, got %v", r.want, err)
			}
		})
	}
}

// TestGarbledInputNeverPanics feeds every prefix of a real diagram, and copies with bytes
// flipped, to Parse: each must return (an error or a result), never panic.
func TestGarbledInputNeverPanics(t *testing.T) {
	_, data := parseOrderFulfillment(t)
	errorsSeen := 0
	for n := 0; n < len(data); n += 401 {
		if _, err := Parse("cut.bpmn", data[:n]); err != nil {
			errorsSeen++
		}
	}
	if errorsSeen == 0 {
		t.Fatal("no truncated prefix was rejected")
	}
	garbles := []struct{ from, to string }{
		{`xmlns:zeebe=`, `xmlns:zebe=`},
		{`zeebe:taskDefinition`, `zeebe:taskDefinitio`},
		{`attachedToRef="`, `attachedToRef="X`},
		{`sourceRef="`, `sourceRef="Y`},
		{`<bpmn:outgoing>`, `<bpmn:outgoing>Z`},
		{`messageRef="`, `messageRef="Q`},
		{`errorRef="`, `errorRef="`},
		{`isExecutable="true"`, `isExecutable="maybe"`},
		{`>=`, `>=(`},
		{`id="`, `id="`},
		{`</bpmn:subProcess>`, ``},
	}
	for _, g := range garbles {
		mutated := strings.ReplaceAll(string(data), g.from, g.to)
		_, _ = Parse("garbled.bpmn", []byte(mutated))
	}
	for i := 0; i < len(data); i += 211 {
		mutated := append([]byte(nil), data...)
		mutated[i] ^= 0x20
		_, _ = Parse("flipped.bpmn", mutated)
	}
}

// TestFEELSyntaxErrors checks that every place an expression is written reports the feel
// package's own syntax error, with the element and what the expression was for.
func TestFEELSyntaxErrors(t *testing.T) {
	rows := []struct{ rule, body, refs, id, what, src string }{
		{"condition", `<bpmn:startEvent id="s"/><bpmn:exclusiveGateway id="g"/><bpmn:endEvent id="e"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="g"/><bpmn:sequenceFlow id="x" sourceRef="g" targetRef="e"><bpmn:conditionExpression>=a +</bpmn:conditionExpression></bpmn:sequenceFlow>`, "", "x", "condition", "a +"},
		{"input source", `<bpmn:startEvent id="s"/><bpmn:task id="x"><bpmn:extensionElements><zeebe:ioMapping><zeebe:input source="=(1" target="v"/></zeebe:ioMapping></bpmn:extensionElements></bpmn:task>`, "", "x", "zeebe:input 'v' source", "(1"},
		{"output source", `<bpmn:startEvent id="s"/><bpmn:task id="x"><bpmn:extensionElements><zeebe:ioMapping><zeebe:output source="={a: }" target="v"/></zeebe:ioMapping></bpmn:extensionElements></bpmn:task>`, "", "x", "zeebe:output 'v' source", "{a: }"},
		{"job type", `<bpmn:startEvent id="s"/><bpmn:serviceTask id="x"><bpmn:extensionElements><zeebe:taskDefinition type="=count("/></bpmn:extensionElements></bpmn:serviceTask>`, "", "x", "zeebe:taskDefinition type", "count("},
		{"input collection", `<bpmn:startEvent id="s"/><bpmn:task id="x"><bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=x = = 1"/></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics></bpmn:task>`, "", "x", "multi-instance inputCollection", "x = = 1"},
		{"completion condition", `<bpmn:startEvent id="s"/><bpmn:task id="x"><bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=l"/></bpmn:extensionElements><bpmn:completionCondition>=a and</bpmn:completionCondition></bpmn:multiInstanceLoopCharacteristics></bpmn:task>`, "", "x", "multi-instance completionCondition", "a and"},
		{"correlation key", `<bpmn:startEvent id="s"/><bpmn:receiveTask id="x" messageRef="M"/>`, `<bpmn:message id="M" name="n"><bpmn:extensionElements><zeebe:subscription correlationKey="=orderId +"/></bpmn:extensionElements></bpmn:message>`, "x", "message 'M' correlationKey", "orderId +"},
		{"timer", `<bpmn:startEvent id="s"/><bpmn:intermediateCatchEvent id="x"><bpmn:timerEventDefinition><bpmn:timeDuration>=duration(</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>`, "", "x", "timer timeDuration", "duration("},
		{"called element", `<bpmn:startEvent id="s"/><bpmn:callActivity id="x"><bpmn:extensionElements><zeebe:calledElement processId="=[1,"/></bpmn:extensionElements></bpmn:callActivity>`, "", "x", "zeebe:calledElement processId", "[1,"},
		{"assignee", `<bpmn:startEvent id="s"/><bpmn:userTask id="x"><bpmn:extensionElements><zeebe:assignmentDefinition assignee="=if"/></bpmn:extensionElements></bpmn:userTask>`, "", "x", "zeebe:assignmentDefinition assignee", "if"},
	}
	for _, r := range rows {
		t.Run(r.rule, func(t *testing.T) {
			_, feelErr := feel.Parse(r.src)
			if feelErr == nil {
				t.Fatalf("feel accepts %q; the row needs a syntax error", r.src)
			}
			_, err := Parse("test.bpmn", []byte(doc(r.body, r.refs)))
			assertRejected(t, err, r.id, r.what+": invalid FEEL expression '="+r.src+"': "+feelErr.Error())
		})
	}
}
