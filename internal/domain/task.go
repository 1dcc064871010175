package domain

import "time"

// Task is one node of a fulfilment plan: what to do, for which order line,
// owned by which system, under which retry/timeout/compensation policy.
type Task struct {
	ID                string
	OrderItemID       string
	Seq               int    // position in the plan, stable across loads
	Key               string // catalog template key, e.g. "access.reserve"
	Component         string // bundle component the task serves
	Type              TaskType
	OwnerSystem       string
	Mode              ExecutionMode
	Status            TaskStatus
	Optional          bool // an optional task never blocks completion
	DependsOn         []string
	Input             map[string]any // snapshot the task executes against
	InputSnapshotHash string
	Retry             RetryPolicy
	Timeout           TimeoutPolicy
	Compensation      CompensationPolicy

	Attempts              int // business attempts started so far
	ManualRetries         int // extra attempts granted by operators
	LastFailureCode       string
	LastFailureMessage    string
	ExternalCorrelationID string
	ResponseHash          string
	StartedAt             time.Time
	CompletedAt           time.Time
	Version               int64 // bumped by the repository on each write

	changed bool
}

// attemptBudget is how many attempts the task may start in total.
func (t *Task) attemptBudget() int { return t.Retry.MaxAttempts + t.ManualRetries }

// Changed reports whether the task was modified since it was loaded.
func (t *Task) Changed() bool { return t.changed }

// satisfiesDependents reports whether tasks waiting on t may start. Optional
// work never holds up others, so an optional task that gave up counts too.
func (t *Task) satisfiesDependents() bool {
	if t.Status.Done() {
		return true
	}
	return t.Optional && t.Status.unsuccessful()
}
