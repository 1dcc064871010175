package runtime

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/orderfleet/orderfleet/internal/engine/model"
)

// InstanceState is the lifecycle state of a process instance.
type InstanceState string

const (
	InstanceActive     InstanceState = "ACTIVE"
	InstanceCompleted  InstanceState = "COMPLETED"
	InstanceTerminated InstanceState = "TERMINATED"
)

// Instance is one process instance as a document: the store keeps it as JSON in one row and
// locks that row for every command, so commands on an instance are serial. The exported header
// fields are what the store and the read API use; the rest is the runtime's own.
type Instance struct {
	Key                      int64         `json:"key"`
	DefinitionKey            int64         `json:"definitionKey"`
	BPMNProcessID            string        `json:"bpmnProcessId"`
	Version                  int32         `json:"version"`
	State                    InstanceState `json:"state"`
	ParentInstanceKey        int64         `json:"parentInstanceKey,omitempty"`
	ParentElementInstanceKey int64         `json:"parentElementInstanceKey,omitempty"`
	StartedAt                time.Time     `json:"startedAt"`
	EndedAt                  *time.Time    `json:"endedAt,omitempty"`

	// Elements are the active element instances by key, the process itself (Key) included while
	// it runs. Ended element instances leave the document; the journal keeps their history.
	Elements map[int64]*ElementInstance `json:"elements,omitempty"`
	// Variables by scope key; the instance key is the root scope, kept after the instance ends.
	Variables map[int64]Vars `json:"variables,omitempty"`
}

// Errors a command returns; the gateway maps them to gRPC codes.
var (
	ErrElementNotFound = errors.New("element instance not found")            // NOT_FOUND
	ErrInvalidState    = errors.New("element instance not in a valid state") // FAILED_PRECONDITION
	ErrInvalidArgument = errors.New("invalid argument")                      // INVALID_ARGUMENT
)

// StartRequest creates an instance. StartElementIDs empty means the none start event of the
// process; otherwise the given elements are activated (a message or timer start event, or the
// start instructions of CreateProcessInstance).
type StartRequest struct {
	Key                      int64 // the new process instance key (the store allocates it)
	Variables                Vars
	StartElementIDs          []string
	ParentInstanceKey        int64
	ParentElementInstanceKey int64
	// TriggerVariables are a start message's variables, applied like a correlated message's.
	TriggerVariables Vars
}

// Start creates and runs a new instance until it waits or ends.
func Start(env Env, def *Definition, req StartRequest) (*Instance, error) {
	if def == nil || def.Process == nil || def.Process.Root == nil {
		return nil, fmt.Errorf("%w: no process to start", ErrInvalidArgument)
	}
	vars, err := compactVars(req.Variables)
	if err != nil {
		return nil, err
	}
	trigger, err := compactVars(req.TriggerVariables)
	if err != nil {
		return nil, err
	}
	for _, id := range req.StartElementIDs {
		if def.Process.Elements[id] == nil {
			return nil, fmt.Errorf("%w: process '%s' has no element '%s' to start at", ErrInvalidArgument, def.BPMNProcessID, id)
		}
	}
	if len(req.StartElementIDs) == 0 && noneStart(def.Process.Root) == nil {
		return nil, fmt.Errorf("%w: process '%s' has no none start event", ErrInvalidArgument, def.BPMNProcessID)
	}
	now := env.Now()
	in := &Instance{
		Key: req.Key, DefinitionKey: def.Key, BPMNProcessID: def.BPMNProcessID, Version: def.Version,
		State: InstanceActive, ParentInstanceKey: req.ParentInstanceKey, ParentElementInstanceKey: req.ParentElementInstanceKey,
		StartedAt: now, Elements: map[int64]*ElementInstance{}, Variables: map[int64]Vars{},
	}
	r := &run{env: env, in: in, def: def, proc: def.Process, now: now, startVars: trigger}
	if len(req.StartElementIDs) > 0 {
		r.startIDs = req.StartElementIDs
	}
	root := &ElementInstance{Key: in.Key, ElementID: def.Process.ID, Type: model.ProcessType, State: ElementActivating}
	in.Elements[in.Key] = root
	r.recordElement(root, "ELEMENT_ACTIVATING")
	r.setLocal(in.Key, vars)
	r.activate(root)
	r.drain()
	if r.err != nil {
		return nil, r.err
	}
	return in, nil
}

func noneStart(scope *model.Element) *model.Element {
	for _, s := range scope.StartEvents {
		if s.EventType == model.NoneEvent || s.EventType == "" {
			return s
		}
	}
	return nil
}

// begin prepares a command on an active instance.
func (in *Instance) begin(env Env) (*run, error) {
	if in.State != InstanceActive {
		return nil, fmt.Errorf("%w: process instance %d is %s", ErrInvalidState, in.Key, in.State)
	}
	return newRun(env, in)
}

// end runs what the command queued and returns the first Env failure.
func (r *run) end() error {
	r.drain()
	return r.err
}

// beginJob prepares a job command: its variables compacted, a run on the active instance, and the
// element instance waiting on the job, which must still be activated when mustBeActivated.
func (in *Instance) beginJob(env Env, job Job, variables Vars, mustBeActivated bool) (*run, *ElementInstance, Vars, error) {
	vars, err := compactVars(variables)
	if err != nil {
		return nil, nil, nil, err
	}
	r, err := in.begin(env)
	if err != nil {
		return nil, nil, nil, err
	}
	ei := in.Elements[job.ElementInstanceKey]
	if ei == nil || ei.JobKey != job.Key {
		return nil, nil, nil, fmt.Errorf("%w: no element instance %d waits on job %d", ErrElementNotFound, job.ElementInstanceKey, job.Key)
	}
	if mustBeActivated && ei.State != ElementActivated {
		return nil, nil, nil, fmt.Errorf("%w: element instance %d is %s", ErrInvalidState, ei.Key, ei.State)
	}
	return r, ei, vars, nil
}

// CompleteJob completes the element instance waiting on a job with the given variables
// (merged as Zeebe does: into the element's scope, then output mappings) and runs on.
func (in *Instance) CompleteJob(env Env, job Job, variables Vars) error {
	r, ei, vars, err := in.beginJob(env, job, variables, true)
	if err != nil {
		return err
	}
	ei.JobKey = 0
	r.applyResult(ei, r.element(ei), vars)
	r.complete(ei, nil)
	return r.end()
}

// ThrowError throws a BPMN error from a job's element instance: the nearest catching error
// boundary event or error event subprocess takes it; otherwise an UNHANDLED_ERROR_EVENT incident.
func (in *Instance) ThrowError(env Env, job Job, code, message string, variables Vars) error {
	r, ei, vars, err := in.beginJob(env, job, variables, true)
	if err != nil {
		return err
	}
	ei.JobKey = 0 // the job ends with the throw; terminating the element must not cancel it
	if r.throwError(ei, code, message, vars) {
		return r.end()
	}
	ei.JobKey = job.Key
	key := env.NewKey()
	msg := unhandledMessage(code, message)
	env.CreateIncident(Incident{
		Key: key, Type: IncidentUnhandledError, Message: msg, ProcessInstanceKey: in.Key, ElementInstanceKey: ei.Key,
		ElementID: ei.ElementID, BPMNProcessID: in.BPMNProcessID, DefinitionKey: in.DefinitionKey, JobKey: job.Key,
	})
	env.Record(Record{
		ValueType: "INCIDENT", Intent: "CREATED", Key: key, ProcessInstanceKey: in.Key, ElementID: ei.ElementID,
		ElementType: ei.Type, FlowScopeKey: ei.FlowScopeKey,
		Detail: detail("errorType", string(IncidentUnhandledError), "errorMessage", msg, "jobKey", strconv.FormatInt(job.Key, 10)),
	})
	return r.end()
}

// SetJobVariables sets variables local to a job's element instance (FailJob with variables).
func (in *Instance) SetJobVariables(env Env, job Job, variables Vars) error {
	r, ei, vars, err := in.beginJob(env, job, variables, false)
	if err != nil {
		return err
	}
	r.setLocal(ei.Key, vars)
	return r.end()
}

// TriggerTimer fires a due timer of this instance (catch, boundary or event subprocess start).
// A timer whose element instance is gone is ignored (returns nil).
func (in *Instance) TriggerTimer(env Env, t Timer) error {
	if in.State != InstanceActive {
		return nil
	}
	ei := in.Elements[t.ElementInstanceKey]
	if ei == nil {
		return nil
	}
	w, ok := findWait(ei, WaitTimer, t.Key)
	if !ok {
		return nil
	}
	r, err := newRun(env, in)
	if err != nil {
		return err
	}
	dropWait(ei, t.Key)
	env.Record(Record{
		ValueType: "TIMER", Intent: "TRIGGERED", Key: t.Key, ProcessInstanceKey: in.Key, ElementID: t.ElementID,
		FlowScopeKey: ei.Key, Detail: detail("dueDate", t.DueAt.UTC().Format(time.RFC3339Nano)),
	})
	r.trigger(ei, w, nil, &t)
	return r.end()
}

// CorrelateMessage hands a message to one of the instance's subscriptions. If the subscription's
// element instance is gone it returns ErrElementNotFound and changes nothing.
func (in *Instance) CorrelateMessage(env Env, sub MessageSubscription, msg Message) error {
	vars, err := compactVars(msg.Variables)
	if err != nil {
		return err
	}
	msg.Variables = vars
	ei := in.Elements[sub.ElementInstanceKey]
	if in.State != InstanceActive || ei == nil {
		return fmt.Errorf("%w: element instance %d of subscription %d", ErrElementNotFound, sub.ElementInstanceKey, sub.Key)
	}
	w, ok := findWait(ei, WaitMessage, sub.Key)
	if !ok {
		return fmt.Errorf("%w: subscription %d is not open on element instance %d", ErrElementNotFound, sub.Key, ei.Key)
	}
	r, err := newRun(env, in)
	if err != nil {
		return err
	}
	r.correlate(ei, w, sub, msg)
	return r.end()
}

// TriggerSignal hands a broadcast signal to a signal subscription of this instance.
func (in *Instance) TriggerSignal(env Env, sub SignalSubscription, variables Vars) error {
	vars, err := compactVars(variables)
	if err != nil {
		return err
	}
	ei := in.Elements[sub.ElementInstanceKey]
	if in.State != InstanceActive || ei == nil {
		return fmt.Errorf("%w: element instance %d of signal subscription %d", ErrElementNotFound, sub.ElementInstanceKey, sub.Key)
	}
	w, ok := findWait(ei, WaitSignal, sub.Key)
	if !ok {
		return fmt.Errorf("%w: signal subscription %d is not open on element instance %d", ErrElementNotFound, sub.Key, ei.Key)
	}
	r, err := newRun(env, in)
	if err != nil {
		return err
	}
	env.Record(Record{ValueType: "SIGNAL_SUBSCRIPTION", Intent: "TRIGGERED", Key: sub.Key, ProcessInstanceKey: in.Key, ElementID: w.ElementID, FlowScopeKey: ei.Key})
	r.trigger(ei, w, vars, nil)
	return r.end()
}

// ResolveIncident retries the step that raised an element incident (not a job incident: the
// store makes the job activatable again itself). ErrElementNotFound when it is not open.
func (in *Instance) ResolveIncident(env Env, incidentKey int64) error {
	var ei *ElementInstance
	for _, e := range in.Elements {
		if e.Incident != nil && e.Incident.Key == incidentKey {
			ei = e
			break
		}
	}
	if ei == nil {
		return fmt.Errorf("%w: no open element incident %d in process instance %d", ErrElementNotFound, incidentKey, in.Key)
	}
	r, err := in.begin(env)
	if err != nil {
		return err
	}
	s := ei.Incident.Step
	r.resolveIncidentRecord(ei)
	switch s {
	case StepComplete:
		r.complete(ei, nil)
	default:
		r.activate(ei)
	}
	return r.end()
}

// Cancel terminates every element instance, innermost first, and ends the instance TERMINATED.
func (in *Instance) Cancel(env Env) error {
	r, err := in.begin(env)
	if err != nil {
		return err
	}
	if root := in.Elements[in.Key]; root != nil {
		r.terminate(root)
	}
	r.finish(InstanceTerminated)
	return r.err
}

// SetVariables sets variables on an element instance's scope (or the instance when scopeKey is
// the instance key). local=false propagates each to the closest scope that has it, as Zeebe does.
func (in *Instance) SetVariables(env Env, scopeKey int64, variables Vars, local bool) error {
	vars, err := compactVars(variables)
	if err != nil {
		return err
	}
	if in.State != InstanceActive || in.Elements[scopeKey] == nil {
		return fmt.Errorf("%w: element instance %d is not active in process instance %d", ErrElementNotFound, scopeKey, in.Key)
	}
	r, err := newRun(env, in)
	if err != nil {
		return err
	}
	if local {
		r.setLocal(scopeKey, vars)
	} else {
		r.propagate(scopeKey, vars)
	}
	return r.end()
}

// ActivateInstruction and TerminateInstruction are ModifyProcessInstance's instructions.
type ActivateInstruction struct {
	ElementID                  string
	AncestorElementInstanceKey int64 // 0: pick the only one, or create the flow scopes
	Variables                  []ScopedVars
}

// ScopedVars are variables to set on the instance of ScopeID (an element id; "" the process).
type ScopedVars struct {
	ScopeID   string
	Variables Vars
}

// Modify terminates and activates element instances as ModifyProcessInstance asks.
func (in *Instance) Modify(env Env, activate []ActivateInstruction, terminate []int64) error {
	r, err := in.begin(env)
	if err != nil {
		return err
	}
	return r.modify(activate, terminate)
}

// ChildEnded continues a call activity whose child instance completed or was terminated.
func (in *Instance) ChildEnded(env Env, n ParentNotice) error {
	ei := in.Elements[n.ParentElementInstanceKey]
	if in.State != InstanceActive || ei == nil || ei.ChildInstanceKey != n.ChildInstanceKey || !n.Completed {
		return nil // the call activity is gone (terminated) or its child did not complete
	}
	vars, err := compactVars(n.Variables)
	if err != nil {
		return err
	}
	r, err := newRun(env, in)
	if err != nil {
		return err
	}
	e := r.element(ei)
	ei.ChildInstanceKey = 0
	if e.PropagateAllChildVariables {
		r.applyResult(ei, e, vars)
	} else if len(e.Outputs) > 0 {
		r.setLocal(ei.Key, vars)
	}
	r.complete(ei, nil)
	return r.end()
}

// VisibleVariables are the variables a job of the element instance sees: its scope chain, inner
// scopes shadowing outer ones. names, when not empty, limits the result to those names.
func (in *Instance) VisibleVariables(elementInstanceKey int64, names []string) Vars {
	out := Vars{}
	for k := elementInstanceKey; k != 0; {
		scope := in.Variables[k]
		if len(names) > 0 {
			for _, n := range names {
				if raw, ok := scope[n]; ok {
					if _, seen := out[n]; !seen {
						out[n] = raw
					}
				}
			}
		} else {
			for n, raw := range scope {
				if _, seen := out[n]; !seen {
					out[n] = raw
				}
			}
		}
		if k == in.Key {
			break
		}
		ei := in.Elements[k]
		if ei == nil {
			break
		}
		k = ei.FlowScopeKey
	}
	return out
}

// RootVariables are the process instance's own (root-scope) variables.
func (in *Instance) RootVariables() Vars { return copyVars(in.Variables[in.Key]) }

// HasElementInstance reports whether key is an active element instance of this instance
// (SetVariables and ModifyProcessInstance check it).
func (in *Instance) HasElementInstance(key int64) bool { return in.Elements[key] != nil }
