package worker

import (
	"fmt"
	"strings"
)

// Runbooks in docs/runbooks.md, one per incident class of seed 000 §23.1 (plus handler panics).
// An incident's message ends with the one that applies, so the incident (fleetctl instance, Operate on Camunda 8) points the operator to the fix.
const (
	RunbookDelegateException    = "docs/runbooks.md#incident-delegate-exception"
	RunbookOptimisticLock       = "docs/runbooks.md#incident-optimistic-lock"
	RunbookCorrelationFailure   = "docs/runbooks.md#incident-correlation-failure"
	RunbookSerializationFailure = "docs/runbooks.md#incident-serialization-failure"
	RunbookMissingData          = "docs/runbooks.md#incident-missing-data"
	RunbookExternalRejection    = "docs/runbooks.md#incident-external-rejection"
	RunbookHandlerPanic         = "docs/runbooks.md#incident-handler-panic"
)

// runbookPrefix opens the runbook suffix of an incident message: " [runbook: docs/…]".
const runbookPrefix = "[runbook: "

// BadDataRunbookf is BadDataf for a cause whose runbook is not the default (missing data).
func BadDataRunbookf(runbook, format string, args ...any) error {
	return &Failure{Class: ClassBadData, Err: fmt.Errorf(format, args...), Runbook: runbook}
}

// runbook picks the runbook of a failure that raises an incident: the handler's choice, else the
// class's default (bad data is broken domain data; exhausted retries are a dependency still down).
func (f *Failure) runbook() string {
	switch {
	case f.Runbook != "":
		return f.Runbook
	case f.Class == ClassBadData:
		return RunbookMissingData
	}
	return RunbookDelegateException
}

// incidentMessage is the error message the engine keeps for an incident, ending with its runbook.
func incidentMessage(f *Failure, err error) string {
	suffix := " " + runbookPrefix + f.runbook() + "]"
	return truncate(err.Error(), 2000-len(suffix)-len("…")) + suffix
}

// RunbookOf is the runbook an incident points to: the one its message names (every incident our
// workers raise ends with it), else the class the engine's own incident types fall into: a job
// out of retries is a dependency still down, a failed mapping or condition is data the process
// lacks. Empty when neither says.
func RunbookOf(errorType, errorMessage string) string {
	if i := strings.LastIndex(errorMessage, runbookPrefix); i >= 0 && strings.HasSuffix(errorMessage, "]") {
		return errorMessage[i+len(runbookPrefix) : len(errorMessage)-1]
	}
	switch errorType {
	case "JOB_NO_RETRIES":
		return RunbookDelegateException
	case "IO_MAPPING_ERROR", "EXTRACT_VALUE_ERROR", "CONDITION_ERROR":
		return RunbookMissingData
	case "UNHANDLED_ERROR_EVENT":
		return RunbookExternalRejection
	}
	return ""
}
