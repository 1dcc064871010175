package worker

import (
	"errors"
	"testing"
)

func TestRunbookOfReadsTheMessageSuffixThenTheIncidentType(t *testing.T) {
	raised := incidentMessage(&Failure{Class: ClassBadData, Err: errors.New("x"), Runbook: RunbookCorrelationFailure}, errors.New("no plan for order 7"))
	cases := []struct{ errorType, message, want string }{
		{"JOB_NO_RETRIES", raised, RunbookCorrelationFailure},
		{"JOB_NO_RETRIES", "connection refused", RunbookDelegateException},
		{"IO_MAPPING_ERROR", "no variable 'plan'", RunbookMissingData},
		{"UNHANDLED_ERROR_EVENT", "no catch for REJECTED", RunbookExternalRejection},
		{"CALLED_ELEMENT_ERROR", "no process 'x'", ""},
	}
	for _, c := range cases {
		if got := RunbookOf(c.errorType, c.message); got != c.want {
			t.Errorf("RunbookOf(%s, %q) = %q, want %q", c.errorType, c.message, got, c.want)
		}
	}
}
