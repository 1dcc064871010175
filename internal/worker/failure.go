// Package worker is the one job-worker harness every orderfleet binary runs: it activates jobs of its
// job types from Zeebe, runs a handler per job under the job's deadline, and maps the handler's outcome
// to exactly one engine command (complete, fail with retries, throw a BPMN error). Nothing else in the
// fleet talks to the job API.
package worker

import (
	"errors"
	"fmt"
	"time"
)

// Class is how a failed job is treated. The three classes follow the fleet's error policy.
type Class int

const (
	// ClassTransient is infrastructure that may recover (database, adapter, engine busy):
	// fail the job with retries-1 and a backoff, so the engine retries and raises an incident at zero.
	ClassTransient Class = iota
	// ClassBusiness is an expected business outcome the BPMN models: throw a BPMN error with a code.
	ClassBusiness
	// ClassBadData is a bug or data no retry can fix: fail with 0 retries, raising an incident now.
	ClassBadData
)

func (c Class) String() string {
	switch c {
	case ClassTransient:
		return "transient"
	case ClassBusiness:
		return "business"
	case ClassBadData:
		return "bad_data"
	}
	return fmt.Sprintf("class(%d)", int(c))
}

// Failure is a classified handler error.
type Failure struct {
	Class Class
	// Code is the BPMN error code for ClassBusiness.
	Code string
	// RetryAfter overrides the harness backoff for ClassTransient, e.g. from a task's retry policy.
	RetryAfter time.Duration
	// Variables travel with a thrown BPMN error (ids and flags only).
	Variables map[string]any
	// Runbook is the docs/runbooks.md entry an incident's message names (Runbook* constants);
	// empty picks the class's default.
	Runbook string
	Err     error
}

func (f *Failure) Error() string {
	if f.Code != "" {
		return fmt.Sprintf("%s [%s]: %v", f.Class, f.Code, f.Err)
	}
	return fmt.Sprintf("%s: %v", f.Class, f.Err)
}

func (f *Failure) Unwrap() error { return f.Err }

// Transient wraps err as retryable. retryAfter may be zero to use the harness backoff.
func Transient(err error, retryAfter time.Duration) error {
	return &Failure{Class: ClassTransient, Err: err, RetryAfter: retryAfter}
}

// Business returns a BPMN error with the given code; the process decides where it goes.
func Business(code, message string, variables map[string]any) error {
	return &Failure{Class: ClassBusiness, Code: code, Err: errors.New(message), Variables: variables}
}

// BadData wraps err as unfixable by retrying: the job goes to an incident at once.
func BadData(err error) error { return &Failure{Class: ClassBadData, Err: err} }

// BadDataf is BadData with formatting, for validation messages.
func BadDataf(format string, args ...any) error { return BadData(fmt.Errorf(format, args...)) }

// Classifier maps errors the handler did not classify itself (typically domain errors) to a class.
// It returns ok=false when it has no opinion; such errors are treated as transient.
type Classifier func(err error) (class Class, ok bool)
