package conformance

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// A tiny BPMN writer for fixtures: nodes and flows in a scope; incoming/outgoing children are
// derived from the flows so a fixture names each flow once. Message, error and signal
// definitions are collected from the nodes that use them.

type node struct {
	kind     string // serviceTask, startEvent, ...
	id       string
	attrs    string // raw extra attributes
	ext      string // inside extensionElements
	body     string // after incoming/outgoing: event definitions, loop characteristics
	inner    *scope // subprocess content
	messages map[string]string
	errors   []string
	signals  []string
}

type seqFlow struct{ id, from, to, cond string }

type scope struct {
	nodes []node
	flows []seqFlow
}

func esc(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// flowID is the id of the flow from → to, so gateways can name their default flow.
func flowID(from, to string) string { return "f_" + from + "_" + to }

func newScope(nodes ...node) *scope { return &scope{nodes: nodes} }

// chain links ids with unconditional flows in order.
func (s *scope) chain(ids ...string) *scope {
	for i := 0; i+1 < len(ids); i++ {
		s.flows = append(s.flows, seqFlow{id: flowID(ids[i], ids[i+1]), from: ids[i], to: ids[i+1]})
	}
	return s
}

// when adds a conditional flow.
func (s *scope) when(from, to, cond string) *scope {
	s.flows = append(s.flows, seqFlow{id: flowID(from, to), from: from, to: to, cond: cond})
	return s
}

func (s *scope) add(nodes ...node) *scope {
	s.nodes = append(s.nodes, nodes...)
	return s
}

func (s *scope) render(b *strings.Builder, msgs map[string]string, errs, sigs map[string]bool) {
	for _, n := range s.nodes {
		for name, key := range n.messages {
			if msgs[name] == "" {
				msgs[name] = key
			}
		}
		for _, e := range n.errors {
			errs[e] = true
		}
		for _, sg := range n.signals {
			sigs[sg] = true
		}
		fmt.Fprintf(b, `<bpmn:%s id="%s" %s>`, n.kind, n.id, n.attrs)
		if n.ext != "" {
			b.WriteString("<bpmn:extensionElements>" + n.ext + "</bpmn:extensionElements>")
		}
		for _, f := range s.flows {
			if f.to == n.id {
				b.WriteString("<bpmn:incoming>" + f.id + "</bpmn:incoming>")
			}
		}
		for _, f := range s.flows {
			if f.from == n.id {
				b.WriteString("<bpmn:outgoing>" + f.id + "</bpmn:outgoing>")
			}
		}
		b.WriteString(n.body)
		if n.inner != nil {
			n.inner.render(b, msgs, errs, sigs)
		}
		fmt.Fprintf(b, "</bpmn:%s>\n", n.kind)
	}
	for _, f := range s.flows {
		if f.cond == "" {
			fmt.Fprintf(b, `<bpmn:sequenceFlow id="%s" sourceRef="%s" targetRef="%s" />`+"\n", f.id, f.from, f.to)
		} else {
			fmt.Fprintf(b, `<bpmn:sequenceFlow id="%s" sourceRef="%s" targetRef="%s"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">%s</bpmn:conditionExpression></bpmn:sequenceFlow>`+"\n", f.id, f.from, f.to, esc(f.cond))
		}
	}
}

var nonID = regexp.MustCompile(`[^A-Za-z0-9_]`)

func refID(prefix, name string) string { return prefix + "_" + nonID.ReplaceAllString(name, "_") }

// definitions renders a process (or several: extra processes appended) as a BPMN document.
func definitions(processes ...string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="Defs" targetNamespace="https://orderfleet.dev/conformance">
` + strings.Join(processes, "\n") + "\n</bpmn:definitions>\n"
}

// process renders one executable process with the definitions its nodes reference.
func process(id string, s *scope) string {
	var b strings.Builder
	msgs, errs, sigs := map[string]string{}, map[string]bool{}, map[string]bool{}
	fmt.Fprintf(&b, `<bpmn:process id="%s" isExecutable="true">`+"\n", id)
	s.render(&b, msgs, errs, sigs)
	b.WriteString("</bpmn:process>\n")
	for _, name := range sortedKeys(msgs) {
		key := msgs[name]
		if key == "-" {
			fmt.Fprintf(&b, `<bpmn:message id="%s" name="%s" />`+"\n", refID("M", name), esc(name))
		} else {
			fmt.Fprintf(&b, `<bpmn:message id="%s" name="%s"><bpmn:extensionElements><zeebe:subscription correlationKey="%s" /></bpmn:extensionElements></bpmn:message>`+"\n", refID("M", name), esc(name), esc(key))
		}
	}
	for _, code := range sortedKeys(errs) {
		fmt.Fprintf(&b, `<bpmn:error id="%s" name="%s" errorCode="%s" />`+"\n", refID("E", code), esc(code), esc(code))
	}
	for _, name := range sortedKeys(sigs) {
		fmt.Fprintf(&b, `<bpmn:signal id="%s" name="%s" />`+"\n", refID("S", name), esc(name))
	}
	return b.String()
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// bpmnDoc is definitions(process(id, s)).
func bpmnDoc(id string, s *scope) string { return definitions(process(id, s)) }

// ---- nodes ----

func startEv(id string) node { return node{kind: "startEvent", id: id} }
func endEv(id string) node   { return node{kind: "endEvent", id: id} }

func task(id, jobType string) node {
	return node{kind: "serviceTask", id: id, ext: fmt.Sprintf(`<zeebe:taskDefinition type="%s" />`, esc(jobType))}
}

// taskRetries is a service task with retries set in its task definition.
func taskRetries(id, jobType, retries string) node {
	return node{kind: "serviceTask", id: id, ext: fmt.Sprintf(`<zeebe:taskDefinition type="%s" retries="%s" />`, esc(jobType), retries)}
}

// withIO adds zeebe:ioMapping; inputs and outputs are source→target pairs.
func (n node) withIO(inputs, outputs [][2]string) node {
	var b strings.Builder
	b.WriteString("<zeebe:ioMapping>")
	for _, in := range inputs {
		fmt.Fprintf(&b, `<zeebe:input source="%s" target="%s" />`, esc(in[0]), esc(in[1]))
	}
	for _, out := range outputs {
		fmt.Fprintf(&b, `<zeebe:output source="%s" target="%s" />`, esc(out[0]), esc(out[1]))
	}
	b.WriteString("</zeebe:ioMapping>")
	n.ext += b.String()
	return n
}

func (n node) withHeaders(kv ...string) node {
	var b strings.Builder
	b.WriteString("<zeebe:taskHeaders>")
	for i := 0; i+1 < len(kv); i += 2 {
		fmt.Fprintf(&b, `<zeebe:header key="%s" value="%s" />`, esc(kv[i]), esc(kv[i+1]))
	}
	b.WriteString("</zeebe:taskHeaders>")
	n.ext += b.String()
	return n
}

// multi makes the activity multi-instance; outputs may be empty.
func (n node) multi(sequential bool, inputCollection, inputElement, outputCollection, outputElement, completion string) node {
	attrs := fmt.Sprintf(`inputCollection="%s" inputElement="%s"`, esc(inputCollection), esc(inputElement))
	if outputCollection != "" {
		attrs += fmt.Sprintf(` outputCollection="%s" outputElement="%s"`, esc(outputCollection), esc(outputElement))
	}
	seq := ""
	if sequential {
		seq = ` isSequential="true"`
	}
	n.body += fmt.Sprintf(`<bpmn:multiInstanceLoopCharacteristics%s><bpmn:extensionElements><zeebe:loopCharacteristics %s /></bpmn:extensionElements>`, seq, attrs)
	if completion != "" {
		n.body += `<bpmn:completionCondition xsi:type="bpmn:tFormalExpression">` + esc(completion) + `</bpmn:completionCondition>`
	}
	n.body += `</bpmn:multiInstanceLoopCharacteristics>`
	return n
}

func userTask(id, candidateGroups string) node {
	return node{kind: "userTask", id: id, ext: fmt.Sprintf(`<zeebe:assignmentDefinition candidateGroups="%s" />`, esc(candidateGroups))}
}

func msgDef(name string) string {
	return fmt.Sprintf(`<bpmn:messageEventDefinition messageRef="%s" />`, refID("M", name))
}

// receiveTask waits for message name with correlation key expression key.
func receiveTask(id, name, key string) node {
	return node{kind: "receiveTask", id: id, attrs: fmt.Sprintf(`messageRef="%s"`, refID("M", name)), messages: map[string]string{name: key}}
}

func catchMsg(id, name, key string) node {
	return node{kind: "intermediateCatchEvent", id: id, body: msgDef(name), messages: map[string]string{name: key}}
}

func msgStart(id, name string) node {
	return node{kind: "startEvent", id: id, body: msgDef(name), messages: map[string]string{name: "-"}}
}

// timerDef: kind is timeDuration, timeCycle or timeDate.
func timerDef(kind, expr string) string {
	return fmt.Sprintf(`<bpmn:timerEventDefinition><bpmn:%s xsi:type="bpmn:tFormalExpression">%s</bpmn:%s></bpmn:timerEventDefinition>`, kind, esc(expr), kind)
}

func catchTimer(id, kind, expr string) node {
	return node{kind: "intermediateCatchEvent", id: id, body: timerDef(kind, expr)}
}

func timerStart(id, kind, expr string) node {
	return node{kind: "startEvent", id: id, body: timerDef(kind, expr)}
}

func signalDef(name string) string {
	return fmt.Sprintf(`<bpmn:signalEventDefinition signalRef="%s" />`, refID("S", name))
}

func signalStart(id, name string) node {
	return node{kind: "startEvent", id: id, body: signalDef(name), signals: []string{name}}
}

func catchSignal(id, name string) node {
	return node{kind: "intermediateCatchEvent", id: id, body: signalDef(name), signals: []string{name}}
}

func boundarySignal(id, attachedTo, name string, interrupting bool) node {
	return node{kind: "boundaryEvent", id: id, attrs: fmt.Sprintf(`attachedToRef="%s"%s`, attachedTo, cancelAttr(interrupting)), body: signalDef(name), signals: []string{name}}
}

func errorEnd(id, code string) node {
	return node{kind: "endEvent", id: id, body: fmt.Sprintf(`<bpmn:errorEventDefinition errorRef="%s" />`, refID("E", code)), errors: []string{code}}
}

func terminateEnd(id string) node {
	return node{kind: "endEvent", id: id, body: `<bpmn:terminateEventDefinition />`}
}

func cancelAttr(interrupting bool) string {
	if interrupting {
		return ""
	}
	return ` cancelActivity="false"`
}

// boundaryError catches code ("" catches every error).
func boundaryError(id, attachedTo, code string) node {
	n := node{kind: "boundaryEvent", id: id, attrs: fmt.Sprintf(`attachedToRef="%s"`, attachedTo)}
	if code == "" {
		n.body = `<bpmn:errorEventDefinition />`
	} else {
		n.body = fmt.Sprintf(`<bpmn:errorEventDefinition errorRef="%s" />`, refID("E", code))
		n.errors = []string{code}
	}
	return n
}

func boundaryMsg(id, attachedTo, name, key string, interrupting bool) node {
	return node{kind: "boundaryEvent", id: id, attrs: fmt.Sprintf(`attachedToRef="%s"%s`, attachedTo, cancelAttr(interrupting)), body: msgDef(name), messages: map[string]string{name: key}}
}

func boundaryTimer(id, attachedTo, kind, expr string, interrupting bool) node {
	return node{kind: "boundaryEvent", id: id, attrs: fmt.Sprintf(`attachedToRef="%s"%s`, attachedTo, cancelAttr(interrupting)), body: timerDef(kind, expr)}
}

func exclusiveGw(id, defaultTo string) node {
	n := node{kind: "exclusiveGateway", id: id}
	if defaultTo != "" {
		n.attrs = fmt.Sprintf(`default="%s"`, flowID(id, defaultTo))
	}
	return n
}

func inclusiveGw(id, defaultTo string) node {
	n := exclusiveGw(id, defaultTo)
	n.kind = "inclusiveGateway"
	return n
}

func parallelGw(id string) node   { return node{kind: "parallelGateway", id: id} }
func eventBasedGw(id string) node { return node{kind: "eventBasedGateway", id: id} }

func subProcess(id string, inner *scope) node {
	return node{kind: "subProcess", id: id, inner: inner}
}

// eventSubProcess: its start event (inside inner) decides the trigger and interrupting flag.
func eventSubProcess(id string, inner *scope) node {
	return node{kind: "subProcess", id: id, attrs: `triggeredByEvent="true"`, inner: inner}
}

// nonInterrupting marks a start event of an event subprocess as non-interrupting.
func (n node) nonInterrupting() node {
	n.attrs += ` isInterrupting="false"`
	return n
}

func errorStart(id, code string) node {
	return node{kind: "startEvent", id: id, body: fmt.Sprintf(`<bpmn:errorEventDefinition errorRef="%s" />`, refID("E", code)), errors: []string{code}}
}

func msgStartKey(id, name, key string) node {
	return node{kind: "startEvent", id: id, body: msgDef(name), messages: map[string]string{name: key}}
}

func timerStartEv(id, kind, expr string) node { return timerStart(id, kind, expr) }

func callActivity(id, processID string) node {
	return node{kind: "callActivity", id: id, ext: fmt.Sprintf(`<zeebe:calledElement processId="%s" propagateAllChildVariables="true" />`, esc(processID))}
}

// ---- common fixtures ----

// oneTask: start → task(jobType) → end.
func oneTask(processID, jobType string) string {
	return bpmnDoc(processID, newScope(startEv("start"), task("task", jobType), endEv("end")).chain("start", "task", "end"))
}

// twoTasks: start → a(typeA) → b(typeB) → end.
func twoTasks(processID, typeA, typeB string) string {
	return bpmnDoc(processID, newScope(startEv("start"), task("a", typeA), task("b", typeB), endEv("end")).chain("start", "a", "b", "end"))
}

// taskLine: start → n service tasks of types prefix-1..n → end.
func taskLine(processID, typePrefix string, n int) string {
	s := newScope(startEv("start"))
	ids := []string{"start"}
	for i := 1; i <= n; i++ {
		id := fmt.Sprintf("t%d", i)
		s.add(task(id, fmt.Sprintf("%s-%d", typePrefix, i)))
		ids = append(ids, id)
	}
	s.add(endEv("end"))
	ids = append(ids, "end")
	return bpmnDoc(processID, s.chain(ids...))
}
