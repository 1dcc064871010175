package domain

import "time"

// RetryPolicy bounds the OMS's own business attempts at a task; Zeebe job
// retries for technical failures are separate (seed 001 §15).
type RetryPolicy struct {
	MaxAttempts int
	Backoff     time.Duration
	BackoffISO  string // same value as Backoff, as written in the catalog
}

// TimeoutAction is what a hard timeout leads to. Timeout is not a synonym for
// cancel (seed 001 §28, anti-pattern 6), so the policy must say.
type TimeoutAction string

const (
	OnTimeoutOpenFallout TimeoutAction = "OPEN_FALLOUT"
	OnTimeoutRetry       TimeoutAction = "RETRY"
	OnTimeoutEscalate    TimeoutAction = "ESCALATE"
	OnTimeoutCompensate  TimeoutAction = "COMPENSATE"
)

// Valid reports whether a is a known timeout action.
func (a TimeoutAction) Valid() bool {
	switch a {
	case OnTimeoutOpenFallout, OnTimeoutRetry, OnTimeoutEscalate, OnTimeoutCompensate:
		return true
	}
	return false
}

// TimeoutPolicy says how long a task may wait, when to remind, and what a
// hard timeout does (seed 001 §14).
type TimeoutPolicy struct {
	Timeout               time.Duration
	TimeoutISO            string
	SoftReminderBefore    time.Duration
	SoftReminderBeforeISO string
	OnTimeout             TimeoutAction
	FalloutCategory       FalloutCategory
}

// DueAt is the hard deadline for a task started at start.
func (p TimeoutPolicy) DueAt(start time.Time) time.Time { return start.Add(p.Timeout) }

// ReminderAt is when the soft reminder fires; zero if there is none.
func (p TimeoutPolicy) ReminderAt(start time.Time) time.Time {
	if p.SoftReminderBefore <= 0 || p.SoftReminderBefore >= p.Timeout {
		return time.Time{}
	}
	return start.Add(p.Timeout - p.SoftReminderBefore)
}

// CompensationPolicy says whether and how a completed task can be undone.
// Reversible=false or RequiresManualReview=true means an operator must look
// before the undo runs (seed 000 §15.1: emails, activations, shipments).
type CompensationPolicy struct {
	Compensatable        bool
	CompensationTaskType TaskType
	Reversible           bool
	RequiresManualReview bool
}

// needsReview reports whether undoing needs a human decision first.
func (p CompensationPolicy) needsReview() bool { return !p.Reversible || p.RequiresManualReview }
