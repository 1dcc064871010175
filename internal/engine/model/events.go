package model

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/orderfleet/orderfleet/internal/engine/feel"
)

var eventDefinitionTypes = map[string]EventType{
	"messageEventDefinition":   MessageEvent,
	"timerEventDefinition":     TimerEvent,
	"errorEventDefinition":     ErrorEvent,
	"signalEventDefinition":    SignalEvent,
	"terminateEventDefinition": TerminateEvent,
}

// allowedEvents is the BPMN coverage: which event definitions each kind of event may carry.
// Start events depend on their scope and are checked in allowedStart.
var allowedEvents = map[ElementType][]EventType{
	EndEvent:               {NoneEvent, ErrorEvent, TerminateEvent, SignalEvent},
	IntermediateThrowEvent: {NoneEvent},
	IntermediateCatchEvent: {MessageEvent, TimerEvent},
	BoundaryEvent:          {TimerEvent, MessageEvent, SignalEvent, ErrorEvent},
}

func allowedStart(scope ElementType) []EventType {
	switch scope {
	case ProcessType:
		return []EventType{NoneEvent, MessageEvent, TimerEvent, SignalEvent}
	case SubProcess:
		return []EventType{NoneEvent}
	default: // EventSubProcess
		return []EventType{MessageEvent, TimerEvent, ErrorEvent, SignalEvent}
	}
}

var eventWords = map[ElementType]string{
	StartEvent: "start event", EndEvent: "end event", IntermediateCatchEvent: "intermediate catch event",
	IntermediateThrowEvent: "intermediate throw event", BoundaryEvent: "boundary event",
}

var scopeWords = map[ElementType]string{
	ProcessType: "a process", SubProcess: "an embedded subprocess", EventSubProcess: "an event subprocess",
}

// buildEvent reads the event's definition and checks that its kind of event may carry it.
func (b *builder) buildEvent(scope *Element, e *Element, n *xnode) {
	var defs []*xnode
	for _, k := range n.kids {
		if k.name.Space == bpmnNS && (strings.HasSuffix(k.name.Local, "EventDefinition") || k.name.Local == "eventDefinitionRef") {
			defs = append(defs, k)
		}
	}
	if len(defs) > 1 {
		b.fail(e.ID, "more than one event definition (multiple events) is not supported")
		return
	}
	e.EventType = NoneEvent
	var def *xnode
	if len(defs) == 1 {
		def = defs[0]
		t, ok := eventDefinitionTypes[def.name.Local]
		if !ok {
			b.fail(e.ID, "%s %s is not supported", strings.TrimSuffix(def.name.Local, "EventDefinition"), eventWords[e.Type])
			return
		}
		e.EventType = t
	}

	allowed := allowedEvents[e.Type]
	if e.Type == StartEvent {
		allowed = allowedStart(scope.Type)
		scope.StartEvents = append(scope.StartEvents, e)
	}
	if !contains(eventTypeNames(allowed), string(e.EventType)) {
		where := ""
		if e.Type == StartEvent {
			where = " in " + scopeWords[scope.Type]
		}
		b.fail(e.ID, "%s %s%s is not supported (allowed: %s)", strings.ToLower(string(e.EventType)), eventWords[e.Type], where,
			strings.ToLower(strings.Join(eventTypeNames(allowed), ", ")))
		return
	}

	switch e.Type {
	case StartEvent:
		if scope.Type == EventSubProcess {
			e.Interrupting = b.boolAttr(e.ID, n, "isInterrupting", true)
			if e.EventType == ErrorEvent && !e.Interrupting {
				b.fail(e.ID, "error start events are always interrupting")
			}
		}
	case BoundaryEvent:
		b.attachedTo[e] = n.attrOr("attachedToRef", "")
		e.Interrupting = b.boolAttr(e.ID, n, "cancelActivity", true)
		if e.EventType == ErrorEvent && !e.Interrupting {
			b.fail(e.ID, "error boundary events are always interrupting (cancelActivity must be true)")
		}
	}

	processStart := e.Type == StartEvent && scope.Type == ProcessType
	switch e.EventType {
	case MessageEvent:
		e.Message = b.message(e, def.attrOr("messageRef", ""), !processStart)
		if processStart && e.Message != nil && e.Message.Name != nil && !e.Message.Name.Static {
			b.fail(e.ID, "message start event name must be static")
		}
	case SignalEvent:
		e.Signal = b.signal(e, def.attrOr("signalRef", ""))
		if processStart && e.Signal != nil && e.Signal.Name != nil && !e.Signal.Name.Static {
			b.fail(e.ID, "signal start event name must be static")
		}
	case TimerEvent:
		e.Timer = b.timer(scope, e, def)
	case ErrorEvent:
		e.Error = b.errorRef(e, def.attrOr("errorRef", ""), e.Type == EndEvent)
	}
}

func eventTypeNames(ts []EventType) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = string(t)
	}
	return out
}

// message resolves a messageRef with its zeebe:subscription; needKey is false only for
// message start events of the process, which correlate by name alone.
func (b *builder) message(e *Element, ref string, needKey bool) *Message {
	what := "message catch"
	if e.Type == ReceiveTask {
		what = "receive task"
	}
	if ref == "" {
		b.fail(e.ID, "%s without a message (messageRef)", what)
		return nil
	}
	n := b.messages[ref]
	if n == nil {
		b.fail(e.ID, "message '%s' does not exist", ref)
		return nil
	}
	name := strings.TrimSpace(n.attrOr("name", ""))
	if name == "" {
		b.fail(e.ID, "message '%s' has no name", ref)
		return nil
	}
	m := &Message{ID: ref, Name: b.expr(e.ID, fmt.Sprintf("message '%s' name", ref), name, false)}
	key := ""
	if sub := n.extension("subscription"); sub != nil {
		key = strings.TrimSpace(sub.attrOr("correlationKey", ""))
	}
	if key != "" {
		m.CorrelationKey = b.expr(e.ID, fmt.Sprintf("message '%s' correlationKey", ref), key, true)
	} else if needKey {
		b.fail(e.ID, "%s: message '%s' has no zeebe:subscription correlationKey", what, ref)
	}
	return m
}

func (b *builder) signal(e *Element, ref string) *Signal {
	if ref == "" {
		b.fail(e.ID, "signal event without a signal (signalRef)")
		return nil
	}
	n := b.signals[ref]
	if n == nil {
		b.fail(e.ID, "signal '%s' does not exist", ref)
		return nil
	}
	name := strings.TrimSpace(n.attrOr("name", ""))
	if name == "" {
		b.fail(e.ID, "signal '%s' has no name", ref)
		return nil
	}
	return &Signal{ID: ref, Name: b.expr(e.ID, fmt.Sprintf("signal '%s' name", ref), name, false)}
}

// errorRef resolves an error. A thrown error (end event) needs a code, static or FEEL; a catch
// without errorRef or with an empty code catches every error (nil), and its code must be static.
func (b *builder) errorRef(e *Element, ref string, thrown bool) *Error {
	if ref == "" {
		if thrown {
			b.fail(e.ID, "error end event without an error (errorRef)")
		}
		return nil
	}
	n := b.errors[ref]
	if n == nil {
		b.fail(e.ID, "error '%s' does not exist", ref)
		return nil
	}
	code := strings.TrimSpace(n.attrOr("errorCode", ""))
	if code == "" {
		if thrown {
			b.fail(e.ID, "error end event: error '%s' has no errorCode", ref)
		}
		return nil
	}
	x := b.expr(e.ID, fmt.Sprintf("error '%s' errorCode", ref), code, false)
	if x != nil && !x.Static && !thrown {
		b.fail(e.ID, "error '%s': a caught errorCode must be static, not FEEL", ref)
	}
	return &Error{ID: ref, Name: n.attrOr("name", ""), Code: x}
}

var timerKinds = map[string]TimerKind{"timeDuration": TimerDuration, "timeDate": TimerDate, "timeCycle": TimerCycle}

// timer reads a timerEventDefinition and checks its kind against where the event sits.
func (b *builder) timer(scope *Element, e *Element, def *xnode) *Timer {
	var found []*xnode
	for _, k := range def.kids {
		if _, ok := timerKinds[k.name.Local]; ok && k.name.Space == bpmnNS {
			found = append(found, k)
		}
	}
	if len(found) == 0 {
		b.fail(e.ID, "timer without a value (timeDuration, timeDate or timeCycle)")
		return nil
	}
	if len(found) > 1 {
		b.fail(e.ID, "timer with more than one of timeDuration, timeDate and timeCycle")
		return nil
	}
	k := found[0]
	value := k.trimmedText()
	if value == "" {
		b.fail(e.ID, "timer without a value (%s is empty)", k.name.Local)
		return nil
	}
	kind := timerKinds[k.name.Local]
	var allowed []TimerKind
	switch {
	case e.Type == StartEvent && scope.Type == ProcessType:
		allowed = []TimerKind{TimerDate, TimerCycle}
	case e.Type == IntermediateCatchEvent, e.Interrupting:
		allowed = []TimerKind{TimerDuration, TimerDate}
	default: // non-interrupting boundary and event subprocess starts
		allowed = []TimerKind{TimerDuration, TimerDate, TimerCycle}
	}
	if !contains(timerKindNames(allowed), string(kind)) {
		b.fail(e.ID, "%s is not allowed on this %s (allowed: %s)", k.name.Local, eventWords[e.Type], strings.Join(timerKindNames(allowed), ", "))
		return nil
	}
	x := b.expr(e.ID, "timer "+k.name.Local, value, false)
	if x == nil {
		return nil
	}
	if x.Static {
		if err := checkStaticTimer(kind, value); err != nil {
			b.fail(e.ID, "timer %s '%s': %v", k.name.Local, value, err)
			return nil
		}
	}
	return &Timer{Kind: kind, Value: x}
}

// checkStaticTimer validates static ISO-8601 timer text at deploy, so a typo fails the
// deployment instead of raising an incident later.
func checkStaticTimer(kind TimerKind, value string) error {
	switch kind {
	case TimerDuration:
		if _, _, ok := feel.DurationOf(value); !ok {
			return errors.New("not an ISO-8601 duration (e.g. PT15M)")
		}
	case TimerDate:
		if _, ok := feel.DateTimeOf(value); !ok {
			return errors.New("not an ISO-8601 date-time (e.g. 2030-01-01T10:00:00Z)")
		}
	case TimerCycle:
		if !strings.HasPrefix(value, "R") {
			// Cron expressions are the other cycle notation; the runtime's scheduler reads them.
			if len(strings.Fields(value)) < 5 {
				return errors.New("not an ISO-8601 repeating interval (e.g. R3/PT10S) or a cron expression")
			}
			return nil
		}
		parts := strings.Split(value, "/")
		reps := strings.TrimPrefix(parts[0], "R")
		if _, err := strconv.Atoi(reps); reps != "" && err != nil || len(parts) < 2 || len(parts) > 3 {
			return errors.New("not an ISO-8601 repeating interval (e.g. R3/PT10S)")
		}
		if len(parts) == 3 {
			if _, ok := feel.DateTimeOf(parts[1]); !ok {
				return errors.New("the start of the repeating interval is not an ISO-8601 date-time")
			}
		}
		if _, _, ok := feel.DurationOf(parts[len(parts)-1]); !ok {
			return errors.New("the interval of the repeating interval is not an ISO-8601 duration")
		}
	}
	return nil
}

func timerKindNames(ks []TimerKind) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = string(k)
	}
	return out
}
