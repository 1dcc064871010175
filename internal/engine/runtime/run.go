package runtime

import (
	"fmt"
	"strconv"
	"time"

	"github.com/orderfleet/orderfleet/internal/engine/model"
)

// run is one command's execution: the instance, its definition and a queue of steps. Steps run
// in order until the queue is empty, that is until every token waits or the instance ended.
type run struct {
	env  Env
	in   *Instance
	def  *Definition
	proc *model.Process
	now  time.Time
	todo []step
	err  error // the first Env failure; the command returns it

	// startIDs and startVars are a new instance's start elements and trigger variables.
	startIDs  []string
	startVars Vars
	// correlations are messages handed back by OpenSubscription, correlated after activation.
	correlations []pendingCorrelation
}

type stepKind uint8

const (
	stepActivate stepKind = iota + 1
	stepComplete
	stepCorrelate // key: the owner; the message is correlations[idx]
)

// step refers to an element instance by key: if it ended meanwhile, the step is dropped.
type step struct {
	kind stepKind
	key  int64
	idx  int
}

func newRun(env Env, in *Instance) (*run, error) {
	def, err := env.Definition(in.DefinitionKey)
	if err != nil {
		return nil, fmt.Errorf("process definition %d of instance %d: %w", in.DefinitionKey, in.Key, err)
	}
	if def == nil || def.Process == nil {
		return nil, fmt.Errorf("process definition %d has no process", in.DefinitionKey)
	}
	if in.Elements == nil {
		in.Elements = map[int64]*ElementInstance{}
	}
	if in.Variables == nil {
		in.Variables = map[int64]Vars{}
	}
	return &run{env: env, in: in, def: def, proc: def.Process, now: env.Now()}, nil
}

func (r *run) push(kind stepKind, key int64) { r.todo = append(r.todo, step{kind: kind, key: key}) }

// drain runs queued steps until none is left.
func (r *run) drain() {
	for i := 0; i < len(r.todo); i++ {
		s := r.todo[i]
		ei := r.in.Elements[s.key]
		if ei == nil {
			continue
		}
		switch s.kind {
		case stepActivate:
			if ei.State == ElementActivating && ei.Incident == nil {
				r.activate(ei)
			}
		case stepComplete:
			if ei.Incident == nil && !(ei.Children > 0 && r.element(ei) != nil && r.element(ei).IsScope()) {
				r.complete(ei, nil)
			}
		case stepCorrelate:
			c := r.correlations[s.idx]
			if w, ok := findWait(ei, WaitMessage, c.sub.Key); ok {
				r.correlate(ei, w, c.sub, c.msg)
			}
		}
	}
	r.todo = r.todo[:0]
}

// element is the model element of an element instance (the process root for the instance).
func (r *run) element(ei *ElementInstance) *model.Element {
	if ei.Key == r.in.Key {
		return r.proc.Root
	}
	return r.proc.Elements[ei.ElementID]
}

// newInstance adds an element instance in ACTIVATING under flowScopeKey and journals it.
func (r *run) newInstance(e *model.Element, typ model.ElementType, flowScopeKey int64) *ElementInstance {
	ei := &ElementInstance{Key: r.env.NewKey(), ElementID: e.ID, Type: typ, FlowScopeKey: flowScopeKey, State: ElementActivating}
	r.in.Elements[ei.Key] = ei
	if p := r.in.Elements[flowScopeKey]; p != nil {
		p.Children++
	}
	r.recordElement(ei, "ELEMENT_ACTIVATING")
	return ei
}

// enter creates the element instance for e in a flow scope and queues its activation. A looped
// activity enters as its multi-instance body.
func (r *run) enter(e *model.Element, flowScopeKey int64) *ElementInstance {
	typ := e.Type
	if e.Loop != nil {
		typ = model.MultiInstanceBody
	}
	ei := r.newInstance(e, typ, flowScopeKey)
	r.push(stepActivate, ei.Key)
	return ei
}

func (r *run) recordElement(ei *ElementInstance, intent string) {
	r.env.Record(Record{
		ValueType:          "PROCESS_INSTANCE",
		Intent:             intent,
		Key:                ei.Key,
		ProcessInstanceKey: r.in.Key,
		ElementID:          ei.ElementID,
		ElementType:        ei.Type,
		FlowScopeKey:       ei.FlowScopeKey,
	})
}

func (r *run) markActivated(ei *ElementInstance) {
	ei.State = ElementActivated
	r.recordElement(ei, "ELEMENT_ACTIVATED")
}

// activate runs an element instance's activation: input mappings, then what its type does.
// A failure raises an incident and leaves the instance ACTIVATING.
func (r *run) activate(ei *ElementInstance) {
	e := r.element(ei)
	if e == nil {
		return
	}
	if ei.Type == model.MultiInstanceBody {
		r.activateBody(ei, e)
		return
	}
	if len(e.Inputs) > 0 && !r.applyInputs(ei, e) {
		return
	}
	switch e.Type {
	case model.ProcessType, model.SubProcess:
		if !r.openBoundaries(ei, e) || !r.openEventSubprocesses(ei, e) {
			return
		}
		r.markActivated(ei)
		r.startScope(ei, e)
	case model.EventSubProcess:
		if !r.openEventSubprocesses(ei, e) {
			return
		}
		r.markActivated(ei)
		r.startEventSubprocess(ei, e)
	case model.ServiceTask, model.UserTask:
		r.activateJobTask(ei, e)
	case model.ReceiveTask:
		if !r.openBoundaries(ei, e) || !r.openCatch(ei, e) {
			return
		}
		r.markActivated(ei)
	case model.IntermediateCatchEvent:
		if !r.openCatch(ei, e) {
			return
		}
		r.markActivated(ei)
	case model.CallActivity:
		r.activateCallActivity(ei, e)
	case model.ExclusiveGateway:
		r.activateExclusive(ei, e)
	case model.InclusiveGateway:
		r.activateInclusive(ei, e)
	case model.EventBasedGateway:
		r.activateEventBased(ei, e)
	case model.EndEvent:
		r.activateEndEvent(ei, e)
	default: // start events, none throw events, manual and undefined tasks, parallel gateways
		r.markActivated(ei)
		r.complete(ei, nil)
	}
}

// complete moves an element instance through COMPLETING to COMPLETED: output mappings, the
// multi-instance bookkeeping, closing what it waited on, then the outgoing flows (all of them,
// or the ones a gateway chose).
func (r *run) complete(ei *ElementInstance, flows []*model.SequenceFlow) {
	e := r.element(ei)
	if e == nil {
		return
	}
	if ei.State != ElementCompleting {
		ei.State = ElementCompleting
		r.recordElement(ei, "ELEMENT_COMPLETING")
	}
	body := r.loopBodyOf(ei)
	loopDone := false
	switch {
	case ei.Type == model.MultiInstanceBody:
		if e.Loop.OutputCollection != "" {
			if raw, ok := r.in.Variables[ei.Key][e.Loop.OutputCollection]; ok {
				r.propagate(ei.FlowScopeKey, Vars{e.Loop.OutputCollection: raw})
			}
		}
	default:
		if len(e.Outputs) > 0 && !r.applyOutputs(ei, e) {
			return
		}
		if body != nil {
			done, ok := r.innerCompleting(body, ei, e)
			if !ok {
				return
			}
			loopDone = done
		}
	}
	r.closeWaits(ei)
	if ei.JobKey != 0 {
		ei.JobKey = 0
	}
	r.recordElement(ei, "ELEMENT_COMPLETED")
	r.remove(ei)
	if ei.Key == r.in.Key {
		r.finish(InstanceCompleted)
		return
	}
	if body != nil {
		body.Loop.Completed++
		r.loopContinue(body, e, loopDone)
		return
	}
	if flows == nil {
		flows = e.Outgoing
	}
	for _, f := range flows {
		r.takeFlow(f, ei.FlowScopeKey)
	}
	r.childLeft(ei.FlowScopeKey)
}

// loopBodyOf is the multi-instance body an inner instance runs in, or nil.
func (r *run) loopBodyOf(ei *ElementInstance) *ElementInstance {
	if ei.Type == model.MultiInstanceBody || ei.FlowScopeKey == 0 {
		return nil
	}
	p := r.in.Elements[ei.FlowScopeKey]
	if p != nil && p.Type == model.MultiInstanceBody && p.ElementID == ei.ElementID {
		return p
	}
	return nil
}

// remove takes an ended element instance out of the document with its local variables.
func (r *run) remove(ei *ElementInstance) {
	delete(r.in.Elements, ei.Key)
	if ei.Key != r.in.Key {
		delete(r.in.Variables, ei.Key)
	}
	if p := r.in.Elements[ei.FlowScopeKey]; p != nil {
		p.Children--
	}
}

// childLeft completes a scope once nothing is active in it and no token waits at a join.
func (r *run) childLeft(scopeKey int64) {
	scope := r.in.Elements[scopeKey]
	if scope == nil || scope.State != ElementActivated || scope.Incident != nil {
		return
	}
	if len(scope.Joins) > 0 {
		r.checkInclusiveJoins(scope)
	}
	if scope.Children == 0 && len(scope.Joins) == 0 && scope.Type != model.MultiInstanceBody {
		r.push(stepComplete, scope.Key)
	}
}

// takeFlow journals a sequence flow and activates its target (or adds a token to a join).
func (r *run) takeFlow(f *model.SequenceFlow, scopeKey int64) {
	r.env.Record(Record{
		ValueType: "PROCESS_INSTANCE", Intent: "SEQUENCE_FLOW_TAKEN", Key: r.env.NewKey(),
		ProcessInstanceKey: r.in.Key, ElementID: f.ID, ElementType: "SEQUENCE_FLOW", FlowScopeKey: scopeKey,
	})
	t := f.Target
	if len(t.Incoming) > 1 && (t.Type == model.ParallelGateway || t.Type == model.InclusiveGateway) {
		r.arriveAtJoin(t, f, scopeKey)
		return
	}
	r.enter(t, scopeKey)
}

// finish ends the process instance.
func (r *run) finish(state InstanceState) {
	r.in.State = state
	now := r.now
	r.in.EndedAt = &now
	r.todo = r.todo[:0]
	if r.in.ParentInstanceKey != 0 {
		n := ParentNotice{
			ParentInstanceKey:        r.in.ParentInstanceKey,
			ParentElementInstanceKey: r.in.ParentElementInstanceKey,
			ChildInstanceKey:         r.in.Key,
			Completed:                state == InstanceCompleted,
		}
		if n.Completed {
			n.Variables = r.in.RootVariables()
		}
		r.env.NotifyParent(n)
	}
}

// terminate ends an element instance and everything inside it, innermost first: jobs are
// cancelled, timers and subscriptions closed, called instances asked to terminate, incidents
// resolved. It does not continue the flow; the caller decides what happens next.
func (r *run) terminate(ei *ElementInstance) {
	if ei.Children > 0 {
		for _, c := range r.childrenOf(ei.Key) {
			r.terminate(c)
		}
	}
	if ei.JobKey != 0 {
		r.env.CancelJob(ei.JobKey)
		ei.JobKey = 0
	}
	r.closeWaits(ei)
	if ei.ChildInstanceKey != 0 {
		r.env.TerminateChild(ei.ChildInstanceKey)
	}
	if ei.Incident != nil {
		r.resolveIncidentRecord(ei)
	}
	if body := r.loopBodyOf(ei); body != nil {
		body.Loop.Terminated++
	}
	r.recordElement(ei, "ELEMENT_TERMINATED")
	r.remove(ei)
}

// terminateChildren terminates every child of a scope except keep (0: none).
func (r *run) terminateChildren(scope *ElementInstance, keep int64) {
	if scope.Children == 0 {
		return
	}
	for _, c := range r.childrenOf(scope.Key) {
		if c.Key != keep {
			r.terminate(c)
		}
	}
}

// childrenOf lists a scope's active children in key (creation) order.
func (r *run) childrenOf(key int64) []*ElementInstance {
	var out []*ElementInstance
	for _, c := range r.in.Elements {
		if c.FlowScopeKey == key && c.Key != key {
			out = append(out, c)
		}
	}
	sortByKey(out)
	return out
}

func sortByKey(s []*ElementInstance) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j].Key < s[j-1].Key; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// raise opens an incident on an element instance; it stays where it is until resolved.
// Timers and subscriptions the failed step opened are closed again, so a retry starts clean.
func (r *run) raise(ei *ElementInstance, typ IncidentType, step Step, msg string) {
	if step == StepActivate {
		r.closeWaits(ei)
	}
	key := r.env.NewKey()
	r.env.CreateIncident(Incident{
		Key: key, Type: typ, Message: msg, ProcessInstanceKey: r.in.Key, ElementInstanceKey: ei.Key,
		ElementID: ei.ElementID, BPMNProcessID: r.in.BPMNProcessID, DefinitionKey: r.in.DefinitionKey,
	})
	ei.Incident = &PendingIncident{Key: key, Step: step}
	r.env.Record(Record{
		ValueType: "INCIDENT", Intent: "CREATED", Key: key, ProcessInstanceKey: r.in.Key,
		ElementID: ei.ElementID, ElementType: ei.Type, FlowScopeKey: ei.FlowScopeKey,
		Detail: detail("errorType", string(typ), "errorMessage", msg, "elementInstanceKey", strconv.FormatInt(ei.Key, 10)),
	})
}

func (r *run) resolveIncidentRecord(ei *ElementInstance) {
	key := ei.Incident.Key
	ei.Incident = nil
	r.env.ResolveIncident(key)
	r.env.Record(Record{
		ValueType: "INCIDENT", Intent: "RESOLVED", Key: key, ProcessInstanceKey: r.in.Key,
		ElementID: ei.ElementID, ElementType: ei.Type, FlowScopeKey: ei.FlowScopeKey,
	})
}

// scopeInstanceOf finds the closest enclosing element instance (from key outward) of element e.
func (r *run) ancestorOf(key int64, e *model.Element) *ElementInstance {
	for k := key; k != 0; {
		ei := r.in.Elements[k]
		if ei == nil {
			return nil
		}
		if r.element(ei) == e && ei.Type != model.MultiInstanceBody {
			return ei
		}
		k = ei.FlowScopeKey
	}
	return nil
}
