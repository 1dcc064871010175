package worker

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestDecideMapsEveryErrorClassToOneCommand(t *testing.T) {
	backoff := BackoffPolicy{Base: time.Second, Max: 8 * time.Second, AssumedRetries: 3}
	errConflict := errors.New("version conflict")
	classify := func(err error) (Class, bool) {
		if errors.Is(err, errConflict) {
			return ClassTransient, true
		}
		if err.Error() == "unknown task" {
			return ClassBadData, true
		}
		return 0, false
	}
	cases := []struct {
		name        string
		err         error
		retriesLeft int32
		want        action
	}{
		{"a parked job sends no command", nil, 3, action{kind: actionPark, outcome: "parked"}},
		{"success completes with variables", nil, 3,
			action{kind: actionComplete, outcome: "completed", variables: map[string]any{"k": "v"}}},
		{"first transient failure backs off from the base", Transient(errors.New("db down"), 0), 3,
			action{kind: actionFail, outcome: "retry", retries: 2, backoff: time.Second}},
		{"second transient failure doubles the backoff", Transient(errors.New("db down"), 0), 2,
			action{kind: actionFail, outcome: "retry", retries: 1, backoff: 2 * time.Second}},
		{"handler backoff wins over the policy", Transient(errors.New("adapter 503"), 30*time.Second), 3,
			action{kind: actionFail, outcome: "retry", retries: 2, backoff: 30 * time.Second}},
		{"last transient failure raises an incident", Transient(errors.New("db down"), 0), 1,
			action{kind: actionFail, outcome: "incident", retries: 0}},
		{"unclassified error is transient", errors.New("boom"), 3,
			action{kind: actionFail, outcome: "retry", retries: 2, backoff: time.Second}},
		{"classifier turns a domain error into a retry", fmt.Errorf("save: %w", errConflict), 2,
			action{kind: actionFail, outcome: "retry", retries: 1, backoff: 2 * time.Second}},
		{"classifier turns a domain error into an incident", errors.New("unknown task"), 3,
			action{kind: actionFail, outcome: "incident", retries: 0}},
		{"deadline is transient even if a classifier would say otherwise", context.DeadlineExceeded, 3,
			action{kind: actionFail, outcome: "retry", retries: 2, backoff: time.Second}},
		{"bad data goes straight to an incident", BadDataf("orderId %q is not a uuid", "x"), 3,
			action{kind: actionFail, outcome: "incident", retries: 0}},
		{"business error throws its code with variables", Business("FALLOUT", "provisioning rejected", map[string]any{"falloutReason": "REJECTED"}), 3,
			action{kind: actionThrow, outcome: "business_error", code: "FALLOUT", variables: map[string]any{"falloutReason": "REJECTED"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var res Result
			if tc.err == nil {
				res.Variables = map[string]any{"k": "v"}
			}
			if tc.want.kind == actionPark {
				res = Result{Park: true}
			}
			got := decide(res, tc.err, tc.retriesLeft, classify, backoff)
			if got.kind != tc.want.kind || got.outcome != tc.want.outcome || got.retries != tc.want.retries ||
				got.backoff != tc.want.backoff || got.code != tc.want.code {
				t.Fatalf("decide = %+v, want %+v", got, tc.want)
			}
			if fmt.Sprint(got.variables) != fmt.Sprint(tc.want.variables) {
				t.Fatalf("variables = %v, want %v", got.variables, tc.want.variables)
			}
			if tc.err != nil && got.message == "" {
				t.Fatal("a failure must carry a message for the incident")
			}
			if hasRunbook := strings.Contains(got.message, "[runbook: docs/runbooks.md#incident-"); hasRunbook != (got.outcome == "incident") {
				t.Fatalf("outcome %s with message %q: an incident's message, and only its, names a runbook", got.outcome, got.message)
			}
		})
	}
}

func TestBackoffIsCapped(t *testing.T) {
	p := BackoffPolicy{Base: time.Second, Max: 5 * time.Second, AssumedRetries: 10}
	if got := p.delay(0); got != 5*time.Second {
		t.Fatalf("delay = %v, want the 5s cap", got)
	}
	if got := p.delay(12); got != time.Second {
		t.Fatalf("delay with more retries than assumed = %v, want the base", got)
	}
}

func TestConfigValidate(t *testing.T) {
	c := Config{MaxJobsActive: 2, Concurrency: 4}
	c.setDefaults()
	if err := c.Validate(); err == nil {
		t.Fatal("concurrency above max jobs active must be rejected")
	}
	c = Config{}
	c.setDefaults()
	if err := c.Validate(); err != nil {
		t.Fatalf("defaults must be valid: %v", err)
	}
}

// Each incident names the runbook of its class, and a long message keeps the reference.
func TestIncidentMessageNamesItsRunbook(t *testing.T) {
	backoff := BackoffPolicy{Base: time.Second, Max: time.Second, AssumedRetries: 3}
	cases := []struct {
		err         error
		retriesLeft int32
		runbook     string
	}{
		{BadDataf("unknown plan"), 3, RunbookMissingData},
		{Transient(errors.New("db down"), 0), 1, RunbookDelegateException},
		{errors.New("unclassified and out of retries"), 1, RunbookDelegateException},
		{BadDataRunbookf(RunbookSerializationFailure, "schemaVersion 9"), 3, RunbookSerializationFailure},
		{BadDataRunbookf(RunbookCorrelationFailure, "%s", strings.Repeat("x", 5000)), 3, RunbookCorrelationFailure},
	}
	for _, tc := range cases {
		got := decide(Result{}, tc.err, tc.retriesLeft, nil, backoff)
		if got.outcome != "incident" || !strings.HasSuffix(got.message, "[runbook: "+tc.runbook+"]") || len(got.message) > 2000 {
			t.Errorf("%.40v: outcome %s, message ending %q; want an incident naming %s within 2000 bytes",
				tc.err, got.outcome, got.message[max(0, len(got.message)-80):], tc.runbook)
		}
	}
	job := NewTestJob("t", 1, 2, 3, []byte("{not json"))
	var v struct{}
	if f := job.Decode(&v).(*Failure); f.runbook() != RunbookSerializationFailure {
		t.Errorf("undecodable variables name %s, want %s", f.runbook(), RunbookSerializationFailure)
	}
}
