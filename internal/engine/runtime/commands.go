package runtime

import (
	"errors"
	"time"
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

	// SCAFFOLD: the runtime helper adds the element instances, variables by scope, gateway joins,
	// multi-instance counters and pending incident steps here.
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

// SCAFFOLD: the runtime helper implements the functions below with these signatures.

// Start creates and runs a new instance until it waits or ends.
func Start(env Env, def *Definition, req StartRequest) (*Instance, error) {
	return nil, errors.New("not implemented")
}

// CompleteJob completes the element instance waiting on a job with the given variables
// (merged as Zeebe does: into the element's scope, then output mappings) and runs on.
func (in *Instance) CompleteJob(env Env, job Job, variables Vars) error {
	return errors.New("not implemented")
}

// ThrowError throws a BPMN error from a job's element instance: the nearest catching error
// boundary event or error event subprocess takes it; otherwise an UNHANDLED_ERROR_EVENT incident.
func (in *Instance) ThrowError(env Env, job Job, code, message string, variables Vars) error {
	return errors.New("not implemented")
}

// SetJobVariables sets variables local to a job's element instance (FailJob with variables).
func (in *Instance) SetJobVariables(env Env, job Job, variables Vars) error {
	return errors.New("not implemented")
}

// TriggerTimer fires a due timer of this instance (catch, boundary or event subprocess start).
// A timer whose element instance is gone is ignored (returns nil).
func (in *Instance) TriggerTimer(env Env, t Timer) error { return errors.New("not implemented") }

// CorrelateMessage hands a message to one of the instance's subscriptions. If the subscription's
// element instance is gone it returns ErrElementNotFound and changes nothing.
func (in *Instance) CorrelateMessage(env Env, sub MessageSubscription, msg Message) error {
	return errors.New("not implemented")
}

// TriggerSignal hands a broadcast signal to a signal subscription of this instance.
func (in *Instance) TriggerSignal(env Env, sub SignalSubscription, variables Vars) error {
	return errors.New("not implemented")
}

// ResolveIncident retries the step that raised an element incident (not a job incident: the
// store makes the job activatable again itself). ErrElementNotFound when it is not open.
func (in *Instance) ResolveIncident(env Env, incidentKey int64) error {
	return errors.New("not implemented")
}

// Cancel terminates every element instance, innermost first, and ends the instance TERMINATED.
func (in *Instance) Cancel(env Env) error { return errors.New("not implemented") }

// SetVariables sets variables on an element instance's scope (or the instance when scopeKey is
// the instance key). local=false propagates each to the closest scope that has it, as Zeebe does.
func (in *Instance) SetVariables(env Env, scopeKey int64, variables Vars, local bool) error {
	return errors.New("not implemented")
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
	return errors.New("not implemented")
}

// ChildEnded continues a call activity whose child instance completed or was terminated.
func (in *Instance) ChildEnded(env Env, n ParentNotice) error { return errors.New("not implemented") }

// VisibleVariables are the variables a job of the element instance sees: its scope chain, inner
// scopes shadowing outer ones. names, when not empty, limits the result to those names.
func (in *Instance) VisibleVariables(elementInstanceKey int64, names []string) Vars { return nil }

// RootVariables are the process instance's own (root-scope) variables.
func (in *Instance) RootVariables() Vars { return nil }

// ElementInstanceScope reports whether key is an active element instance of this instance
// (SetVariables and ModifyProcessInstance check it).
func (in *Instance) HasElementInstance(key int64) bool { return false }
