package worker

import (
	"context"
	"errors"
	"time"
)

// actionKind is the one engine command a handled job ends with.
type actionKind int

const (
	actionComplete actionKind = iota
	actionFail
	actionThrow
	actionPark
)

// action is the decision for one job, separate from sending it so the policy is testable on its own.
type action struct {
	kind      actionKind
	outcome   string // metric label: completed, business_error, retry, incident
	variables map[string]any
	retries   int32
	backoff   time.Duration
	code      string
	message   string
}

// BackoffPolicy computes the retry delay for a transient failure when the handler gave none.
type BackoffPolicy struct {
	Base, Max time.Duration
	// AssumedRetries is the BPMN's initial retry count, used to tell which attempt just failed.
	AssumedRetries int32
}

func (p BackoffPolicy) delay(retriesLeft int32) time.Duration {
	attempt := int(p.AssumedRetries - retriesLeft)
	if attempt < 0 {
		attempt = 0
	}
	d := p.Base
	for i := 0; i < attempt && d < p.Max; i++ {
		d *= 2
	}
	if d > p.Max {
		d = p.Max
	}
	return d
}

// decide maps a handler result to the engine command. This is the single place where the
// transient / business / bad-data policy turns into FailJob, ThrowError or CompleteJob.
func decide(result Result, err error, retriesLeft int32, classify Classifier, backoff BackoffPolicy) action {
	if err == nil && result.Park {
		return action{kind: actionPark, outcome: "parked"}
	}
	if err == nil {
		return action{kind: actionComplete, outcome: "completed", variables: result.Variables}
	}
	var f *Failure
	if !errors.As(err, &f) {
		f = &Failure{Class: ClassTransient, Err: err}
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			f.Class = ClassTransient // the job ran out of time or the worker is draining: let it run again
		} else if classify != nil {
			if class, ok := classify(err); ok {
				f.Class = class
			}
		}
	}
	msg := truncate(err.Error(), 2000)
	switch f.Class {
	case ClassBusiness:
		return action{kind: actionThrow, outcome: "business_error", code: f.Code, message: msg, variables: f.Variables}
	case ClassBadData:
		return action{kind: actionFail, outcome: "incident", retries: 0, message: incidentMessage(f, err)}
	default:
		retries := retriesLeft - 1
		if retries < 0 {
			retries = 0
		}
		delay := f.RetryAfter
		if delay <= 0 {
			delay = backoff.delay(retriesLeft)
		}
		outcome := "retry"
		if retries == 0 {
			outcome, delay, msg = "incident", 0, incidentMessage(f, err)
		}
		return action{kind: actionFail, outcome: outcome, retries: retries, backoff: delay, message: msg}
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
