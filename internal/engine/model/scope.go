package model

import (
	"slices"
)

// flowNodeTypes maps the BPMN elements the engine executes to their element type.
var flowNodeTypes = map[string]ElementType{
	"startEvent":             StartEvent,
	"endEvent":               EndEvent,
	"intermediateCatchEvent": IntermediateCatchEvent,
	"intermediateThrowEvent": IntermediateThrowEvent,
	"boundaryEvent":          BoundaryEvent,
	"serviceTask":            ServiceTask,
	"userTask":               UserTask,
	"receiveTask":            ReceiveTask,
	"manualTask":             ManualTask,
	"task":                   Task,
	"exclusiveGateway":       ExclusiveGateway,
	"parallelGateway":        ParallelGateway,
	"inclusiveGateway":       InclusiveGateway,
	"eventBasedGateway":      EventBasedGateway,
	"subProcess":             SubProcess,
	"callActivity":           CallActivity,
}

// ignoredInScope are children of a process or subprocess that carry no behaviour (or that the
// scope's own builder reads, such as its loop characteristics).
var ignoredInScope = map[string]bool{
	"documentation": true, "extensionElements": true, "incoming": true, "outgoing": true,
	"multiInstanceLoopCharacteristics": true, "laneSet": true, "textAnnotation": true,
	"association": true, "group": true, "dataObject": true, "dataObjectReference": true,
	"dataStoreReference": true, "property": true, "ioSpecification": true,
	"dataInputAssociation": true, "dataOutputAssociation": true, "auditing": true, "monitoring": true,
}

// buildScope builds the children of a process or (event) subprocess node, its sequence flows and
// boundary attachments, then validates the scope.
func (b *builder) buildScope(scope *Element, n *xnode) {
	local := map[string]*Element{}
	outgoingOrder := map[*Element][]string{}
	var flowNodes []*xnode
	var boundaries []*Element
	for _, k := range n.kids {
		if k.name.Space != bpmnNS || ignoredInScope[k.name.Local] {
			continue
		}
		if k.name.Local == "sequenceFlow" {
			flowNodes = append(flowNodes, k)
			continue
		}
		typ, ok := flowNodeTypes[k.name.Local]
		if !ok {
			id := k.id()
			if id == "" {
				id = scope.ID
			}
			b.fail(id, "%s is not supported", k.name.Local)
			continue
		}
		e := b.buildElement(scope, typ, k)
		if e.ID == "" {
			continue
		}
		local[e.ID] = e
		b.proc.Elements[e.ID] = e
		scope.Children = append(scope.Children, e)
		for _, out := range k.kids {
			if out.isBPMN("outgoing") {
				outgoingOrder[e] = append(outgoingOrder[e], out.trimmedText())
			}
		}
		if e.Type == BoundaryEvent {
			boundaries = append(boundaries, e)
		}
	}

	for _, k := range flowNodes {
		b.buildFlow(local, k)
	}
	for e, order := range outgoingOrder {
		// Gateways try their conditions in the order the element lists its outgoing flows.
		slices.SortStableFunc(e.Outgoing, func(x, y *SequenceFlow) int {
			return indexOr(order, x.ID) - indexOr(order, y.ID)
		})
	}
	for _, be := range boundaries {
		b.attachBoundary(local, be)
	}
	for _, e := range scope.Children {
		b.checkConnections(e)
		b.checkUniqueErrorCatch(e.ID, e.BoundaryEvents)
	}
	var espStarts []*Element
	for _, esp := range scope.EventSubProcesses {
		espStarts = append(espStarts, esp.StartEvents...)
	}
	b.checkUniqueErrorCatch(scope.ID, espStarts)
	b.checkStartEvents(scope)
}

func indexOr(list []string, s string) int {
	if i := slices.Index(list, s); i >= 0 {
		return i
	}
	return len(list)
}

// buildFlow connects two elements of the scope; an element of another scope or a missing one
// is an error.
func (b *builder) buildFlow(local map[string]*Element, n *xnode) {
	id := n.id()
	if id == "" {
		b.fail("", "sequence flow without an id")
		return
	}
	f := &SequenceFlow{ID: id, Name: n.attrOr("name", "")}
	f.Source = b.flowEnd(local, id, "source", n.attrOr("sourceRef", ""))
	f.Target = b.flowEnd(local, id, "target", n.attrOr("targetRef", ""))
	if c := n.child(bpmnNS, "conditionExpression"); c != nil {
		f.Condition = b.expr(id, "condition", c.trimmedText(), true)
	}
	if f.Source == nil || f.Target == nil {
		return
	}
	b.proc.Flows[id] = f
	f.Source.Outgoing = append(f.Source.Outgoing, f)
	f.Target.Incoming = append(f.Target.Incoming, f)
}

func (b *builder) flowEnd(local map[string]*Element, flowID, end, ref string) *Element {
	if ref == "" {
		b.fail(flowID, "sequence flow without a %sRef", end)
		return nil
	}
	if e := local[ref]; e != nil {
		return e
	}
	if b.procIDs[ref] {
		b.fail(flowID, "sequence flow %s '%s' is in another scope", end, ref)
	} else {
		b.fail(flowID, "sequence flow %s '%s' does not exist", end, ref)
	}
	return nil
}

// attachBoundary resolves attachedToRef within the boundary event's scope.
func (b *builder) attachBoundary(local map[string]*Element, be *Element) {
	ref := b.attachedTo[be]
	act := local[ref]
	switch {
	case ref == "":
		b.fail(be.ID, "boundary event without attachedToRef")
	case act == nil:
		b.fail(be.ID, "boundary event attached to '%s', which is not an element of its scope", ref)
	case !act.IsActivity() || act.Type == EventSubProcess:
		b.fail(be.ID, "boundary event attached to '%s', which is not an activity", ref)
	default:
		be.AttachedTo = act
		act.BoundaryEvents = append(act.BoundaryEvents, be)
	}
}

// checkUniqueErrorCatch rejects two error catch events of one activity or scope for the same
// code (or two catch-alls): which one catches would be arbitrary.
func (b *builder) checkUniqueErrorCatch(owner string, events []*Element) {
	seen := map[string]bool{}
	for _, ev := range events {
		if ev.EventType != ErrorEvent {
			continue
		}
		code := "" // catch-all
		if ev.Error != nil && ev.Error.Code != nil {
			code = ev.Error.Code.Source
		}
		if seen[code] {
			what := "error code '" + code + "'"
			if code == "" {
				what = "all errors (no error code)"
			}
			b.fail(ev.ID, "another error catch event of '%s' already catches %s", owner, what)
		}
		seen[code] = true
	}
}

// checkConnections validates an element against its incoming and outgoing flows.
func (b *builder) checkConnections(e *Element) {
	switch e.Type {
	case StartEvent:
		if len(e.Incoming) > 0 {
			b.fail(e.ID, "start event with incoming sequence flow")
		}
	case EndEvent:
		if len(e.Outgoing) > 0 {
			b.fail(e.ID, "end event with outgoing sequence flow")
		}
	case BoundaryEvent:
		if len(e.Incoming) > 0 {
			b.fail(e.ID, "boundary event with incoming sequence flow")
		}
		if len(e.Outgoing) == 0 {
			b.fail(e.ID, "boundary event without outgoing sequence flow")
		}
	case EventSubProcess:
		if len(e.Incoming) > 0 || len(e.Outgoing) > 0 {
			b.fail(e.ID, "event subprocess with incoming or outgoing sequence flow")
		}
		if len(e.BoundaryEvents) > 0 {
			b.fail(e.ID, "event subprocess with boundary events")
		}
	}
	if e.Type != ExclusiveGateway && e.Type != InclusiveGateway {
		for _, f := range e.Outgoing {
			if f.Condition != nil {
				b.fail(f.ID, "condition on a sequence flow out of %s '%s'; only exclusive and inclusive gateways evaluate conditions", e.Type, e.ID)
			}
		}
	}
	switch e.Type {
	case ExclusiveGateway, InclusiveGateway:
		b.checkConditionalGateway(e)
	case EventBasedGateway:
		b.checkEventBasedGateway(e)
	}
}

func (b *builder) checkConditionalGateway(g *Element) {
	if b.defaults[g] != "" {
		i := slices.IndexFunc(g.Outgoing, func(f *SequenceFlow) bool { return f.ID == b.defaults[g] })
		if i < 0 {
			b.fail(g.ID, "default flow '%s' is not an outgoing sequence flow of the gateway", b.defaults[g])
		} else {
			g.DefaultFlow = g.Outgoing[i]
		}
	}
	if len(g.Outgoing) > 1 {
		for _, f := range g.Outgoing {
			if f.Condition == nil && f != g.DefaultFlow {
				b.fail(f.ID, "sequence flow out of gateway '%s' has no condition and is not its default flow", g.ID)
			}
		}
	}
}

func (b *builder) checkEventBasedGateway(g *Element) {
	if len(g.Outgoing) < 2 {
		b.fail(g.ID, "event-based gateway needs at least two outgoing sequence flows")
	}
	for _, f := range g.Outgoing {
		t := f.Target
		if t.Type != IntermediateCatchEvent || (t.EventType != MessageEvent && t.EventType != TimerEvent) {
			b.fail(g.ID, "event-based gateway is followed by '%s' (%s); only message and timer intermediate catch events may follow it", t.ID, t.Type)
		}
	}
}

// checkStartEvents applies the start event rules of each kind of scope.
func (b *builder) checkStartEvents(scope *Element) {
	var none []*Element
	for _, e := range scope.Children {
		if e.Type == StartEvent && e.EventType == NoneEvent {
			none = append(none, e)
		}
	}
	switch scope.Type {
	case ProcessType:
		if len(scope.StartEvents) == 0 {
			b.fail(scope.ID, "process without a start event")
		}
		if len(none) > 1 {
			b.fail(none[1].ID, "more than one none start event in process '%s'", scope.ID)
		}
	case SubProcess:
		if len(scope.StartEvents) != 1 || len(none) != 1 {
			b.fail(scope.ID, "embedded subprocess must have exactly one none start event")
		}
	case EventSubProcess:
		if len(scope.StartEvents) != 1 {
			b.fail(scope.ID, "event subprocess must have exactly one start event")
		} else {
			scope.Interrupting = scope.StartEvents[0].Interrupting
		}
	}
}
