// Package runtime executes BPMN process instances: it moves tokens through a model.Process,
// evaluating FEEL, until every path waits (a job, a message, a timer, a child instance) or the
// instance ends. It is pure: no SQL, no clock, no goroutines. The store gives it an Env for one
// command inside one transaction and persists the Instance document and the Env's effects when
// the command commits.
package runtime

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/orderfleet/orderfleet/internal/engine/model"
)

// Definition is one deployed process version.
type Definition struct {
	Key           int64 // process definition key
	BPMNProcessID string
	Version       int32
	Process       *model.Process
}

// Env is the runtime's window on the rest of the engine for one command. Reads are consistent
// with the command's transaction; effects are applied by the store at commit, in call order.
type Env interface {
	Now() time.Time // engine clock
	NewKey() int64  // a fresh engine key (element instances, jobs, timers, incidents, ...)

	Definition(key int64) (*Definition, error)                  // ErrNotFound when unknown
	LatestDefinition(bpmnProcessID string) (*Definition, error) // ErrNotFound when none deployed

	CreateJob(Job)
	// CancelJob removes a job whose element instance was terminated; a later complete gets NOT_FOUND.
	CancelJob(jobKey int64)
	CreateTimer(Timer)
	CancelTimer(timerKey int64)
	// OpenSubscription opens a message subscription. When a buffered message with that name and
	// correlation key has not yet correlated to an instance of this bpmnProcessId, the store
	// records the correlation and returns the message; the runtime then correlates it at once.
	OpenSubscription(MessageSubscription) (*Message, error)
	CloseSubscription(subscriptionKey int64)
	OpenSignalSubscription(SignalSubscription)
	CloseSignalSubscription(subscriptionKey int64)
	CreateIncident(Incident)
	ResolveIncident(incidentKey int64)
	// CreateChild starts a called process (call activity) in this transaction.
	CreateChild(ChildRequest) (childInstanceKey int64, err error)
	// TerminateChild asks a called instance to terminate (it runs as its own command later).
	TerminateChild(childInstanceKey int64)
	// NotifyParent tells the calling instance that this child ended (its own command later).
	NotifyParent(ParentNotice)
	Record(Record) // the instance's history journal
}

// ErrNotFound is returned by Env look-ups for what does not exist.
var ErrNotFound = errors.New("not found")

// Vars are variables as JSON documents, name → value. Numbers keep their exact text.
type Vars map[string]json.RawMessage

// Job is a job created for a service task or job-based user task.
type Job struct {
	Key                int64
	Type               string
	Retries            int32
	CustomHeaders      map[string]string
	ProcessInstanceKey int64
	ElementInstanceKey int64
	ElementID          string
	BPMNProcessID      string
	ProcessVersion     int32
	DefinitionKey      int64
}

// Timer is a timer waiting to fire. ElementInstanceKey is the element that waits (catch event
// or the activity a boundary timer is attached to); ElementID is the timer event's own id.
// Start timers have ProcessInstanceKey 0. Repetitions: -1 unbounded, 0 means fire once.
type Timer struct {
	Key                int64
	ProcessInstanceKey int64
	ElementInstanceKey int64
	ElementID          string
	DefinitionKey      int64
	DueAt              time.Time
	Repetitions        int
	Interval           string // ISO-8601 duration or cron expression of a cycle (see NextTimerDue); "" for a one-shot timer
}

// MessageSubscription waits for a message by name and correlation key. ElementInstanceKey is
// the element instance that owns it (the catch event, receive task, the activity of a boundary
// event, or the scope of an event subprocess); ElementID is the catching event (or receive task).
type MessageSubscription struct {
	Key                int64
	ProcessInstanceKey int64
	ElementInstanceKey int64
	ElementID          string
	BPMNProcessID      string
	MessageName        string
	CorrelationKey     string
	Interrupting       bool
}

// SignalSubscription waits for a broadcast signal by name (catch events and boundary events;
// signal start events are the store's business at deploy time).
type SignalSubscription struct {
	Key                int64
	ProcessInstanceKey int64
	ElementInstanceKey int64
	ElementID          string
	SignalName         string
}

// Message is a published message handed to the runtime for correlation.
type Message struct {
	Key            int64
	Name           string
	CorrelationKey string
	MessageID      string
	Variables      Vars
}

// IncidentType uses Zeebe's error types.
type IncidentType string

const (
	IncidentJobNoRetries        IncidentType = "JOB_NO_RETRIES"
	IncidentExtractValue        IncidentType = "EXTRACT_VALUE_ERROR"
	IncidentConditionError      IncidentType = "CONDITION_ERROR"
	IncidentIOMapping           IncidentType = "IO_MAPPING_ERROR"
	IncidentCalledElement       IncidentType = "CALLED_ELEMENT_ERROR"
	IncidentUnhandledError      IncidentType = "UNHANDLED_ERROR_EVENT"
	IncidentMessageSubscription IncidentType = "MESSAGE_SIZE_EXCEEDED"
	// IncidentUnknown is Zeebe's type for a failure none of the others names; the runtime uses
	// it when one command activates too many elements (a flow loop without a wait state).
	IncidentUnknown IncidentType = "UNKNOWN"
)

// Incident stops an element instance until it is resolved. JobKey is set for job incidents.
type Incident struct {
	Key                int64
	Type               IncidentType
	Message            string
	ProcessInstanceKey int64
	ElementInstanceKey int64
	ElementID          string
	BPMNProcessID      string
	DefinitionKey      int64
	JobKey             int64
}

// ChildRequest starts the process a call activity calls.
type ChildRequest struct {
	Definition               *Definition
	Variables                Vars
	ParentInstanceKey        int64
	ParentElementInstanceKey int64
}

// ParentNotice is sent to the calling instance when a child instance ends.
type ParentNotice struct {
	ParentInstanceKey        int64
	ParentElementInstanceKey int64
	ChildInstanceKey         int64
	Completed                bool // false: terminated
	Variables                Vars // the child's root variables when it completed
}

// Record is one entry of an instance's journal. ValueType is PROCESS_INSTANCE, JOB, INCIDENT,
// VARIABLE, MESSAGE_SUBSCRIPTION, TIMER; Intent is Zeebe's (ELEMENT_ACTIVATED, ELEMENT_COMPLETED,
// ELEMENT_TERMINATED, SEQUENCE_FLOW_TAKEN, CREATED, UPDATED, CORRELATED, TRIGGERED, ...).
type Record struct {
	ValueType          string
	Intent             string
	Key                int64 // the element instance, job, incident, ... the record is about
	ProcessInstanceKey int64
	ElementID          string
	ElementType        model.ElementType
	FlowScopeKey       int64
	Detail             json.RawMessage // small JSON: variable name/value, error message, ...
}
