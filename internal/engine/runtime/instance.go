package runtime

import (
	"encoding/json"

	"github.com/orderfleet/orderfleet/internal/engine/model"
)

// ElementState is where an active element instance is in its lifecycle. Ended instances leave
// the document, so COMPLETED and TERMINATED never appear here.
type ElementState string

const (
	ElementActivating ElementState = "ACTIVATING"
	ElementActivated  ElementState = "ACTIVATED"
	ElementCompleting ElementState = "COMPLETING"
)

// ElementInstance is one active element instance. Type is MULTI_INSTANCE_BODY for the body
// around a looped activity; its inner instances carry the activity's own type and ElementID.
type ElementInstance struct {
	Key          int64             `json:"key"`
	ElementID    string            `json:"id"`
	Type         model.ElementType `json:"type"`
	FlowScopeKey int64             `json:"scope,omitempty"`
	State        ElementState      `json:"state"`
	// Children counts active child element instances, so a scope knows it is done without a scan.
	Children int `json:"children,omitempty"`
	JobKey   int64 `json:"job,omitempty"`
	// ChildInstanceKey is the process instance a call activity started.
	ChildInstanceKey int64 `json:"childInstance,omitempty"`
	// Waits are the timers and subscriptions this element instance owns: its own catch, its
	// boundary events, the start events of its event subprocesses, an event-based gateway's events.
	Waits []Wait `json:"waits,omitempty"`
	// Joins counts tokens waiting at parallel/inclusive joins of this scope: gateway id → flow
	// ids taken (one entry per token).
	Joins map[string][]string `json:"joins,omitempty"`
	// Loop is the multi-instance state of a body; LoopCounter (1-based) that of an inner instance.
	Loop        *LoopState `json:"loop,omitempty"`
	LoopCounter int        `json:"loopCounter,omitempty"`
	// Trigger is what activated an event subprocess (its start event and the trigger's variables),
	// kept so an incident on its activation can be retried.
	Trigger *Trigger `json:"trigger,omitempty"`
	// Incident is the open incident holding this element instance and the step to retry.
	Incident *PendingIncident `json:"incident,omitempty"`
}

// WaitKind says what an element instance waits on.
type WaitKind string

const (
	WaitTimer   WaitKind = "timer"
	WaitMessage WaitKind = "message"
	WaitSignal  WaitKind = "signal"
)

// Wait is a timer or subscription owned by an element instance; ElementID is the catching event.
type Wait struct {
	Kind      WaitKind `json:"kind"`
	Key       int64    `json:"key"`
	ElementID string   `json:"id"`
}

// LoopState is a multi-instance body's progress. Pending holds the items a sequential body has
// not started yet; Next is the loop counter of the next inner instance.
type LoopState struct {
	Total      int               `json:"total"`
	Next       int               `json:"next"`
	Completed  int               `json:"completed,omitempty"`
	Terminated int               `json:"terminated,omitempty"`
	Pending    []json.RawMessage `json:"pending,omitempty"`
}

// Trigger is an event subprocess's start event and the variables that came with its trigger.
type Trigger struct {
	StartID   string `json:"start"`
	Variables Vars   `json:"variables,omitempty"`
}

// Step names what ResolveIncident re-runs.
type Step string

const (
	StepActivate Step = "activate"
	StepComplete Step = "complete"
)

// PendingIncident is an open element incident and the step that raised it.
type PendingIncident struct {
	Key  int64 `json:"key"`
	Step Step  `json:"step"`
}
