package model

import (
	"encoding/json"
	"strconv"
	"strings"
)

// buildElement builds one flow node of scope from its XML; nested scopes recurse.
func (b *builder) buildElement(scope *Element, typ ElementType, n *xnode) *Element {
	id := n.id()
	if id == "" {
		b.fail(scope.ID, "%s without an id", n.name.Local)
		return &Element{}
	}
	e := &Element{ID: id, Name: n.attrOr("name", ""), Type: typ, Parent: scope, Interrupting: true}
	if typ == SubProcess && b.boolAttr(id, n, "triggeredByEvent", false) {
		e.Type = EventSubProcess
		scope.EventSubProcesses = append(scope.EventSubProcesses, e)
	}
	b.readExtensions(e, n)

	switch e.Type {
	case StartEvent, EndEvent, IntermediateCatchEvent, IntermediateThrowEvent, BoundaryEvent:
		b.buildEvent(scope, e, n)
	case ServiceTask:
		b.buildServiceTask(e, n)
	case UserTask:
		b.buildUserTask(e, n)
	case ReceiveTask:
		e.Message = b.message(e, n.attrOr("messageRef", ""), true)
	case ExclusiveGateway, InclusiveGateway:
		if d, ok := n.attr("default"); ok && d != "" {
			b.defaults[e] = d
		}
	case CallActivity:
		b.buildCallActivity(e, n)
	case SubProcess, EventSubProcess:
		b.buildScope(e, n)
	}

	if mi := n.child(bpmnNS, "multiInstanceLoopCharacteristics"); mi != nil {
		if !e.IsActivity() || e.Type == EventSubProcess {
			b.fail(id, "multi-instance is not supported on %s", e.Type)
		} else {
			e.Loop = b.buildLoop(id, mi)
		}
	}
	if n.child(bpmnNS, "standardLoopCharacteristics") != nil {
		b.fail(id, "standard loop characteristics are not supported; use multi-instance")
	}
	return e
}

// zeebeExtensionsFor lists the zeebe extension elements each element type understands; the rest
// would change behaviour the engine does not implement, so they are rejected.
var zeebeExtensionsFor = map[ElementType][]string{
	ServiceTask:  {"taskDefinition", "taskHeaders"},
	UserTask:     {"taskHeaders", "assignmentDefinition", "taskSchedule", "formDefinition", "priorityDefinition"},
	CallActivity: {"calledElement"},
}

func (b *builder) readExtensions(e *Element, n *xnode) {
	for _, ext := range n.extensions() {
		local := ext.name.Local
		switch {
		case local == "ioMapping":
			b.readIOMapping(e, ext)
		case local == "properties" || local == "versionTag":
			// Informational only.
		case local == "userTask" && e.Type == UserTask:
			b.fail(e.ID, "Camunda-managed user task (zeebe:userTask) is not supported; remove it to make a job-based user task")
		case contains(zeebeExtensionsFor[e.Type], local):
			// Read by the element's own builder.
		default:
			b.fail(e.ID, "zeebe:%s is not supported on %s", local, e.Type)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (b *builder) readIOMapping(e *Element, n *xnode) {
	for _, k := range n.kids {
		var into *[]Mapping
		switch {
		case k.isZeebe("input"):
			into = &e.Inputs
		case k.isZeebe("output"):
			into = &e.Outputs
		default:
			continue
		}
		target := strings.TrimSpace(k.attrOr("target", ""))
		source := k.attrOr("source", "")
		if target == "" {
			b.fail(e.ID, "zeebe:%s without a target", k.name.Local)
			continue
		}
		if source == "" {
			b.fail(e.ID, "zeebe:%s '%s' without a source", k.name.Local, target)
			continue
		}
		if x := b.expr(e.ID, "zeebe:"+k.name.Local+" '"+target+"' source", source, false); x != nil {
			*into = append(*into, Mapping{Source: x, Target: target})
		}
	}
}

func (b *builder) buildServiceTask(e *Element, n *xnode) {
	td := n.extension("taskDefinition")
	typ := ""
	if td != nil {
		typ = strings.TrimSpace(td.attrOr("type", ""))
	}
	if typ == "" {
		b.fail(e.ID, "service task without zeebe:taskDefinition type")
		return
	}
	e.JobType = b.expr(e.ID, "zeebe:taskDefinition type", typ, false)
	e.JobRetries = b.retries(e.ID, td.attrOr("retries", "3"))
	e.Headers = readHeaders(n)
}

func (b *builder) retries(id, raw string) *Expr {
	raw = strings.TrimSpace(raw)
	x := b.expr(id, "zeebe:taskDefinition retries", raw, false)
	if x != nil && x.Static {
		if r, err := strconv.Atoi(raw); err != nil || r < 0 {
			b.fail(id, "zeebe:taskDefinition retries '%s' is not a non-negative number", raw)
			return nil
		}
	}
	return x
}

func readHeaders(n *xnode) []Header {
	var out []Header
	if th := n.extension("taskHeaders"); th != nil {
		for _, h := range th.kids {
			if h.isZeebe("header") {
				out = append(out, Header{Key: h.attrOr("key", ""), Value: h.attrOr("value", "")})
			}
		}
	}
	return out
}

// buildUserTask makes a job-based user task: its assignment and schedule travel to the worker
// as the headers Zeebe gives such jobs.
func (b *builder) buildUserTask(e *Element, n *xnode) {
	e.JobType = staticExpr(UserTaskJobType)
	e.JobRetries = staticExpr("1")
	e.Headers = readHeaders(n)
	header := func(ext *xnode, attr, key string, list bool) {
		if ext == nil {
			return
		}
		raw, ok := ext.attr(attr)
		if !ok || strings.TrimSpace(raw) == "" {
			return
		}
		x := b.expr(e.ID, "zeebe:"+ext.name.Local+" "+attr, raw, false)
		switch {
		case x == nil:
		case !x.Static:
			e.Headers = append(e.Headers, Header{Key: key, Expr: x})
		case list:
			// A static list is comma-separated text; the header carries it as a JSON array.
			var items []string
			for _, s := range strings.Split(raw, ",") {
				if s = strings.TrimSpace(s); s != "" {
					items = append(items, s)
				}
			}
			js, _ := json.Marshal(items)
			e.Headers = append(e.Headers, Header{Key: key, Value: string(js)})
		default:
			e.Headers = append(e.Headers, Header{Key: key, Value: raw})
		}
	}
	ad, ts, fd := n.extension("assignmentDefinition"), n.extension("taskSchedule"), n.extension("formDefinition")
	header(ad, "assignee", "io.camunda.zeebe:assignee", false)
	header(ad, "candidateGroups", "io.camunda.zeebe:candidateGroups", true)
	header(ad, "candidateUsers", "io.camunda.zeebe:candidateUsers", true)
	header(ts, "dueDate", "io.camunda.zeebe:dueDate", false)
	header(ts, "followUpDate", "io.camunda.zeebe:followUpDate", false)
	header(fd, "formKey", "io.camunda.zeebe:formKey", false)
}

func (b *builder) buildCallActivity(e *Element, n *xnode) {
	ce := n.extension("calledElement")
	pid := ""
	if ce != nil {
		pid = strings.TrimSpace(ce.attrOr("processId", ""))
	}
	if pid == "" {
		b.fail(e.ID, "call activity without zeebe:calledElement processId")
		return
	}
	e.CalledElement = b.expr(e.ID, "zeebe:calledElement processId", pid, false)
	e.PropagateAllChildVariables = b.boolAttr(e.ID, ce, "propagateAllChildVariables", true)
	e.PropagateAllParentVariables = b.boolAttr(e.ID, ce, "propagateAllParentVariables", true)
	if bt := ce.attrOr("bindingType", "latest"); bt != "latest" {
		b.fail(e.ID, "zeebe:calledElement bindingType '%s' is not supported (only latest)", bt)
	}
}

func (b *builder) buildLoop(id string, mi *xnode) *Loop {
	if mi.child(bpmnNS, "loopCardinality") != nil {
		b.fail(id, "multi-instance loopCardinality is not supported; use zeebe:loopCharacteristics inputCollection")
	}
	l := &Loop{Sequential: b.boolAttr(id, mi, "isSequential", false)}
	lc := mi.extension("loopCharacteristics")
	if lc == nil || strings.TrimSpace(lc.attrOr("inputCollection", "")) == "" {
		b.fail(id, "multi-instance without zeebe:loopCharacteristics inputCollection")
		return l
	}
	l.InputCollection = b.expr(id, "multi-instance inputCollection", strings.TrimSpace(lc.attrOr("inputCollection", "")), true)
	l.InputElement = strings.TrimSpace(lc.attrOr("inputElement", ""))
	l.OutputCollection = strings.TrimSpace(lc.attrOr("outputCollection", ""))
	outElem := strings.TrimSpace(lc.attrOr("outputElement", ""))
	if (l.OutputCollection == "") != (outElem == "") {
		b.fail(id, "multi-instance outputCollection and outputElement must be set together")
	}
	if outElem != "" {
		l.OutputElement = b.expr(id, "multi-instance outputElement", outElem, true)
	}
	if cc := mi.child(bpmnNS, "completionCondition"); cc != nil && cc.trimmedText() != "" {
		l.CompletionCondition = b.expr(id, "multi-instance completionCondition", cc.trimmedText(), true)
	}
	return l
}
