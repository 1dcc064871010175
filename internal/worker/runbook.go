package worker

import "fmt"

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
	suffix := " [runbook: " + f.runbook() + "]"
	return truncate(err.Error(), 2000-len(suffix)-len("…")) + suffix
}
