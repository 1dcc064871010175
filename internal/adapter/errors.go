package adapter

import (
	"errors"
	"fmt"
	"time"
)

// Kind tells a worker what to do with a failed call.
type Kind int

const (
	// Transient failures (timeout, connection refused, 5xx, 429) are retried with backoff under the
	// same idempotency key.
	Transient Kind = iota + 1
	// Permanent failures (unknown system, malformed request, 4xx other than rejection) are bugs or
	// bad data: retrying cannot help, an operator must look.
	Permanent
)

func (k Kind) String() string {
	if k == Permanent {
		return "permanent"
	}
	return "transient"
}

// CallError is the only error a Caller returns.
type CallError struct {
	Kind       Kind
	System     string
	Operation  string
	StatusCode int           // 0 when no HTTP answer arrived
	Code       string        // the partner's problem code, when it sent one
	RetryAfter time.Duration // the partner's Retry-After hint, 0 if none
	Err        error
}

func (e *CallError) Error() string {
	status := ""
	if e.StatusCode != 0 {
		status = fmt.Sprintf(" (HTTP %d)", e.StatusCode)
	}
	return fmt.Sprintf("%s %s: %s failure%s: %v", e.System, e.Operation, e.Kind, status, e.Err)
}

// Unwrap exposes the cause, so errors.Is(err, context.DeadlineExceeded) works through it.
func (e *CallError) Unwrap() error { return e.Err }

// IsTransient reports whether err is a failure worth retrying with the same key. Errors that did
// not come from a Caller count as transient: the conservative choice when the effect is unknown.
func IsTransient(err error) bool {
	var ce *CallError
	if errors.As(err, &ce) {
		return ce.Kind == Transient
	}
	return err != nil
}

// IsPermanent reports whether err is a failure no retry can fix.
func IsPermanent(err error) bool {
	var ce *CallError
	return errors.As(err, &ce) && ce.Kind == Permanent
}
