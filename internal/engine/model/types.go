// Package model is a deployed BPMN process as the engine runs it: elements, flows and their
// compiled expressions. Parse builds it from BPMN XML as Camunda Modeler writes it and rejects,
// naming the element, anything the engine does not execute. The runtime only reads it.
package model

import "github.com/orderfleet/orderfleet/internal/engine/feel"

// ElementType uses Zeebe's BpmnElementType names, so records and the read API speak the same words.
type ElementType string

const (
	ProcessType            ElementType = "PROCESS"
	SubProcess             ElementType = "SUB_PROCESS"
	EventSubProcess        ElementType = "EVENT_SUB_PROCESS"
	StartEvent             ElementType = "START_EVENT"
	IntermediateCatchEvent ElementType = "INTERMEDIATE_CATCH_EVENT"
	IntermediateThrowEvent ElementType = "INTERMEDIATE_THROW_EVENT" // none only
	BoundaryEvent          ElementType = "BOUNDARY_EVENT"
	EndEvent               ElementType = "END_EVENT"
	ServiceTask            ElementType = "SERVICE_TASK"
	UserTask               ElementType = "USER_TASK" // job-based: type io.camunda.zeebe:userTask
	ReceiveTask            ElementType = "RECEIVE_TASK"
	ManualTask             ElementType = "MANUAL_TASK" // passes through
	Task                   ElementType = "TASK"        // undefined task: passes through
	ExclusiveGateway       ElementType = "EXCLUSIVE_GATEWAY"
	ParallelGateway        ElementType = "PARALLEL_GATEWAY"
	InclusiveGateway       ElementType = "INCLUSIVE_GATEWAY"
	EventBasedGateway      ElementType = "EVENT_BASED_GATEWAY"
	CallActivity           ElementType = "CALL_ACTIVITY"
	MultiInstanceBody      ElementType = "MULTI_INSTANCE_BODY" // runtime-only: the body around a looped activity
)

// EventType says what an event waits for or throws.
type EventType string

const (
	NoneEvent      EventType = "NONE"
	MessageEvent   EventType = "MESSAGE"
	TimerEvent     EventType = "TIMER"
	ErrorEvent     EventType = "ERROR"
	TerminateEvent EventType = "TERMINATE"
	SignalEvent    EventType = "SIGNAL"
)

// UserTaskJobType is the job type of a job-based user task (a userTask without zeebe:userTask).
const UserTaskJobType = "io.camunda.zeebe:userTask"

// Definitions is one parsed BPMN resource: its executable processes.
type Definitions struct {
	Processes []*Process
	// ResourceName is the name the resource was deployed under; Checksum is the sha256 of its
	// bytes, so a redeploy of identical XML can be recognised and keep its version.
	ResourceName string
	Checksum     [32]byte
}

// Process is one executable bpmn:process. It is also the root scope of its instances.
type Process struct {
	ID   string // bpmnProcessId
	Name string
	// Root is the process as an element: Type ProcessType, Children the top-level elements,
	// StartEvents, EventSubProcesses as for a subprocess.
	Root *Element
	// Elements holds every element by id, nested ones included (not the Root).
	Elements map[string]*Element
	Flows    map[string]*SequenceFlow
}

// Element is one flow node (or the process root). Fields that do not apply to its type stay zero.
type Element struct {
	ID        string
	Name      string
	Type      ElementType
	EventType EventType // events only

	// Parent is the scope that contains the element: the process Root, a subprocess or an event
	// subprocess. Nil for the Root. A boundary event's Parent is its activity's Parent.
	Parent   *Element
	Incoming []*SequenceFlow
	Outgoing []*SequenceFlow

	// Scopes (Root, SubProcess, EventSubProcess): their direct children, their none start event
	// (StartEvents holds every start event of the scope; for the Root also message/timer starts),
	// and the event subprocesses they contain. Children is every direct child in document order,
	// boundary events and event subprocesses included.
	Children          []*Element
	StartEvents       []*Element
	EventSubProcesses []*Element

	// Activities: boundary events attached to them. Boundary events: the activity (AttachedTo)
	// and whether catching interrupts it (cancelActivity, default true).
	BoundaryEvents []*Element
	AttachedTo     *Element
	Interrupting   bool // boundary: cancelActivity; event subprocess and its start: isInterrupting (default true)

	DefaultFlow *SequenceFlow // exclusive and inclusive gateways

	// Job workers (service task, user task): zeebe:taskDefinition type and retries (default "3"),
	// zeebe:taskHeaders in document order; user tasks get their assignment as headers
	// (io.camunda.zeebe:assignee, io.camunda.zeebe:candidateGroups, io.camunda.zeebe:candidateUsers,
	// io.camunda.zeebe:dueDate, io.camunda.zeebe:followUpDate) and JobType UserTaskJobType.
	JobType    *Expr
	JobRetries *Expr
	Headers    []Header

	// zeebe:ioMapping. Inputs apply when the element activates, into its local scope; outputs
	// when it completes, into its parent scope (without outputs, the element's local variables
	// are dropped; a job's or message's variables then propagate as Zeebe does).
	Inputs  []Mapping
	Outputs []Mapping

	Message *Message // message start/catch/boundary events and receive tasks
	Timer   *Timer   // timer start/catch/boundary events
	Error   *Error   // error end events (thrown); error boundary/start events (caught; nil catches all)
	Signal  *Signal  // signal start/catch/boundary events and signal throw/end events

	Loop *Loop // multi-instance activities

	// Call activities: zeebe:calledElement processId (static or FEEL) and variable propagation.
	CalledElement               *Expr
	PropagateAllChildVariables  bool // default true
	PropagateAllParentVariables bool // default true
}

// IsScope reports elements that hold child element instances and variables of their own.
func (e *Element) IsScope() bool {
	return e.Type == ProcessType || e.Type == SubProcess || e.Type == EventSubProcess
}

// SequenceFlow joins two elements of one scope. Condition is nil for an unconditional flow.
type SequenceFlow struct {
	ID        string
	Name      string
	Source    *Element
	Target    *Element
	Condition *Expr
}

// Header is one zeebe:header, or a header the parser derives (user task assignment). Expr is
// set when the value is FEEL (a user task's assignee written "=..."): the runtime evaluates it
// when it creates the job and writes a string result as is, anything else as JSON. Value is
// then "".
type Header struct {
	Key, Value string
	Expr       *Expr
}

// Mapping is one zeebe:input or zeebe:output: Source is FEEL, Target a variable name or a
// dotted path into a context (a.b.c).
type Mapping struct {
	Source *Expr
	Target string
}

// Message is a bpmn:message with its zeebe:subscription. Name may be static or FEEL;
// CorrelationKey is FEEL (required on all but message start events).
type Message struct {
	ID             string
	Name           *Expr
	CorrelationKey *Expr
}

// TimerKind is which of timeDuration, timeDate and timeCycle the timer uses.
type TimerKind string

const (
	TimerDuration TimerKind = "DURATION"
	TimerDate     TimerKind = "DATE"
	TimerCycle    TimerKind = "CYCLE"
)

// Timer is a timerEventDefinition. Value is static ISO-8601 text or FEEL (a duration, a
// date-time, or a cycle string such as "R3/PT10S").
type Timer struct {
	Kind  TimerKind
	Value *Expr
}

// Error is a bpmn:error. Code is static (errorCode) or FEEL on an end event.
type Error struct {
	ID   string
	Name string
	Code *Expr
}

// Signal is a bpmn:signal; Name static or FEEL.
type Signal struct {
	ID   string
	Name *Expr
}

// Loop is multiInstanceLoopCharacteristics with its zeebe:loopCharacteristics.
type Loop struct {
	Sequential          bool
	InputCollection     *Expr  // FEEL, must evaluate to a list
	InputElement        string // variable name set in each inner instance; "" for none
	OutputCollection    string // variable name created on the body; "" for none
	OutputElement       *Expr  // FEEL evaluated in each inner instance on completion; nil for none
	CompletionCondition *Expr  // FEEL boolean; nil for none
}

// Expr is an attribute value: static text, or a FEEL expression when it was written with a
// leading "=". Static values evaluate to themselves as strings.
type Expr struct {
	Source string // as written, "=" included
	Static bool
	FEEL   *feel.Expression // nil when Static
}

// Eval evaluates the expression; a static value is its text.
func (x *Expr) Eval(ctx feel.Context) (any, error) {
	if x.Static {
		return x.Source, nil
	}
	return x.FEEL.Eval(ctx)
}
