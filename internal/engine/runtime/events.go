package runtime

import (
	"fmt"
	"strconv"

	"github.com/orderfleet/orderfleet/internal/engine/model"
)

type pendingCorrelation struct {
	sub MessageSubscription
	msg Message
}

// openBoundaries opens the timers and subscriptions of an activity's boundary events. The
// inner instances of a multi-instance activity have none: its body owns them.
func (r *run) openBoundaries(ei *ElementInstance, e *model.Element) bool {
	if len(e.BoundaryEvents) == 0 || r.loopBodyOf(ei) != nil {
		return true
	}
	for _, b := range e.BoundaryEvents {
		if !r.openWait(ei, b) {
			return false
		}
	}
	return true
}

// openEventSubprocesses opens the start events (message, timer, signal) of a scope's event
// subprocesses; error starts need nothing open.
func (r *run) openEventSubprocesses(ei *ElementInstance, e *model.Element) bool {
	for _, es := range e.EventSubProcesses {
		for _, s := range es.StartEvents {
			if !r.openWait(ei, s) {
				return false
			}
		}
	}
	return true
}

// openCatch opens what a catch event or receive task itself waits for.
func (r *run) openCatch(ei *ElementInstance, ev *model.Element) bool { return r.openWait(ei, ev) }

// openWait opens the timer or subscription of event ev, owned by element instance owner, with
// its expressions evaluated in owner's scope. A failure raises an EXTRACT_VALUE_ERROR incident.
func (r *run) openWait(owner *ElementInstance, ev *model.Element) bool {
	switch {
	case ev.Timer != nil && (ev.EventType == model.TimerEvent || ev.EventType == ""):
		sched, err := r.schedule(ev.Timer, owner.Key)
		if err != nil {
			r.raise(owner, IncidentExtractValue, StepActivate, err.Error())
			return false
		}
		t := Timer{
			Key: r.env.NewKey(), ProcessInstanceKey: r.in.Key, ElementInstanceKey: owner.Key, ElementID: ev.ID,
			DefinitionKey: r.in.DefinitionKey, DueAt: sched.due, Repetitions: sched.repetitions, Interval: sched.interval,
		}
		r.env.CreateTimer(t)
		owner.Waits = append(owner.Waits, Wait{Kind: WaitTimer, Key: t.Key, ElementID: ev.ID})
	case ev.Message != nil && (ev.EventType == model.MessageEvent || ev.Type == model.ReceiveTask || ev.EventType == ""):
		name, err := r.evalString(ev.Message.Name, owner.Key)
		if err != nil {
			r.raise(owner, IncidentExtractValue, StepActivate, err.Error())
			return false
		}
		key, err := r.correlationKey(ev.Message.CorrelationKey, owner.Key)
		if err != nil {
			r.raise(owner, IncidentExtractValue, StepActivate, err.Error())
			return false
		}
		sub := MessageSubscription{
			Key: r.env.NewKey(), ProcessInstanceKey: r.in.Key, ElementInstanceKey: owner.Key, ElementID: ev.ID,
			BPMNProcessID: r.in.BPMNProcessID, MessageName: name, CorrelationKey: key, Interrupting: interrupts(ev),
		}
		msg, err := r.env.OpenSubscription(sub)
		if err != nil {
			r.fail(err)
			return false
		}
		owner.Waits = append(owner.Waits, Wait{Kind: WaitMessage, Key: sub.Key, ElementID: ev.ID})
		if msg != nil {
			r.correlations = append(r.correlations, pendingCorrelation{sub: sub, msg: *msg})
			r.todo = append(r.todo, step{kind: stepCorrelate, key: owner.Key, idx: len(r.correlations) - 1})
		}
	case ev.Signal != nil && ev.EventType == model.SignalEvent:
		name, err := r.evalString(ev.Signal.Name, owner.Key)
		if err != nil {
			r.raise(owner, IncidentExtractValue, StepActivate, err.Error())
			return false
		}
		s := SignalSubscription{Key: r.env.NewKey(), ProcessInstanceKey: r.in.Key, ElementInstanceKey: owner.Key, ElementID: ev.ID, SignalName: name}
		r.env.OpenSignalSubscription(s)
		owner.Waits = append(owner.Waits, Wait{Kind: WaitSignal, Key: s.Key, ElementID: ev.ID})
	}
	return true
}

// interrupts reports whether catching ev ends what it is attached to: boundary events and
// event subprocess starts say so themselves; a catch event or receive task always ends its wait.
func interrupts(ev *model.Element) bool {
	if ev.Type == model.BoundaryEvent || (ev.Type == model.StartEvent && ev.Parent != nil && ev.Parent.Type == model.EventSubProcess) {
		return ev.Interrupting
	}
	return true
}

// correlationKey evaluates a correlation key: a string as is, a number as its canonical text.
func (r *run) correlationKey(x *model.Expr, key int64) (string, error) {
	if x == nil {
		return "", nil
	}
	v, err := r.eval(x, key, nil)
	if err != nil {
		return "", fmt.Errorf("failed to extract the correlation key by expression '%s': %v", x.Source, err)
	}
	if s, ok := v.(string); ok {
		return s, nil
	}
	if s, ok := numberText(v); ok {
		return s, nil
	}
	return "", fmt.Errorf("failed to extract the correlation key by expression '%s': the value must be either a string or a number, but was '%s'", x.Source, typeName(v))
}

// closeWaits closes every timer and subscription an element instance owns.
func (r *run) closeWaits(ei *ElementInstance) {
	for _, w := range ei.Waits {
		r.closeWait(w)
	}
	ei.Waits = nil
}

func (r *run) closeWait(w Wait) {
	switch w.Kind {
	case WaitTimer:
		r.env.CancelTimer(w.Key)
	case WaitMessage:
		r.env.CloseSubscription(w.Key)
	case WaitSignal:
		r.env.CloseSignalSubscription(w.Key)
	}
}

// closeEventSubprocessWaits closes the waits of a scope's event subprocess start events and
// keeps the others (the scope's own boundary events).
func (r *run) closeEventSubprocessWaits(scope *ElementInstance) {
	kept := scope.Waits[:0]
	for _, w := range scope.Waits {
		ev := r.proc.Elements[w.ElementID]
		if ev != nil && ev.Type == model.StartEvent && ev.Parent != nil && ev.Parent.Type == model.EventSubProcess {
			r.closeWait(w)
			continue
		}
		kept = append(kept, w)
	}
	scope.Waits = kept
	if len(kept) == 0 {
		scope.Waits = nil
	}
}

func findWait(ei *ElementInstance, kind WaitKind, key int64) (Wait, bool) {
	for _, w := range ei.Waits {
		if w.Kind == kind && w.Key == key {
			return w, true
		}
	}
	return Wait{}, false
}

func dropWait(ei *ElementInstance, key int64) {
	for i, w := range ei.Waits {
		if w.Key == key {
			ei.Waits = append(ei.Waits[:i], ei.Waits[i+1:]...)
			break
		}
	}
	if len(ei.Waits) == 0 {
		ei.Waits = nil
	}
}

// correlate hands a message to the wait that subscribed to it.
func (r *run) correlate(owner *ElementInstance, w Wait, sub MessageSubscription, msg Message) {
	r.env.Record(Record{
		ValueType: "MESSAGE_SUBSCRIPTION", Intent: "CORRELATED", Key: sub.Key, ProcessInstanceKey: r.in.Key,
		ElementID: w.ElementID, FlowScopeKey: owner.Key,
		Detail: detail("messageName", msg.Name, "correlationKey", msg.CorrelationKey, "messageKey", strconv.FormatInt(msg.Key, 10)),
	})
	r.trigger(owner, w, msg.Variables, nil)
}

// trigger runs what a fired wait leads to. owner is the element instance that owns the wait.
func (r *run) trigger(owner *ElementInstance, w Wait, vars Vars, t *Timer) {
	ev := r.proc.Elements[w.ElementID]
	if ev == nil {
		return
	}
	oe := r.element(owner)
	switch {
	case oe == ev: // a catch event or receive task got what it waited for
		r.applyResult(owner, ev, vars)
		r.complete(owner, nil)

	case owner.Type == model.EventBasedGateway:
		var flow *model.SequenceFlow
		for _, f := range oe.Outgoing {
			if f.Target == ev {
				flow = f
			}
		}
		r.closeWaits(owner)
		scope := owner.FlowScopeKey
		r.complete(owner, []*model.SequenceFlow{})
		if flow != nil {
			r.env.Record(Record{
				ValueType: "PROCESS_INSTANCE", Intent: "SEQUENCE_FLOW_TAKEN", Key: r.env.NewKey(),
				ProcessInstanceKey: r.in.Key, ElementID: flow.ID, ElementType: "SEQUENCE_FLOW", FlowScopeKey: scope,
			})
		}
		r.triggered(r.newInstance(ev, ev.Type, scope), vars)

	case ev.Type == model.BoundaryEvent:
		scope := owner.FlowScopeKey
		if ev.Interrupting {
			r.terminate(owner)
		} else {
			r.rearm(owner, w, t)
		}
		r.triggered(r.newInstance(ev, model.BoundaryEvent, scope), vars)

	case ev.Type == model.StartEvent && ev.Parent != nil && ev.Parent.Type == model.EventSubProcess:
		if ev.Interrupting {
			r.closeEventSubprocessWaits(owner)
			r.terminateChildren(owner, 0)
		} else {
			r.rearm(owner, w, t)
		}
		esi := r.newInstance(ev.Parent, model.EventSubProcess, owner.Key)
		esi.Trigger = &Trigger{StartID: ev.ID, Variables: vars}
		r.push(stepActivate, esi.Key)
	}
}

// rearm schedules a cycle timer's next repetition after a non-interrupting trigger; a fired
// one-shot timer just leaves the owner's waits. Messages and signals stay subscribed.
func (r *run) rearm(owner *ElementInstance, w Wait, t *Timer) {
	if w.Kind != WaitTimer || t == nil {
		return
	}
	dropWait(owner, w.Key)
	if t.Interval == "" || t.Repetitions == 0 {
		return
	}
	d, err := parseISODuration(t.Interval)
	if err != nil {
		return
	}
	next := *t
	next.Key = r.env.NewKey()
	next.DueAt = d.addTo(t.DueAt)
	if next.Repetitions > 0 {
		next.Repetitions--
	}
	r.env.CreateTimer(next)
	owner.Waits = append(owner.Waits, Wait{Kind: WaitTimer, Key: next.Key, ElementID: w.ElementID})
}
