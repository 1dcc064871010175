// Package simulator plays the external systems (inventory, provisioning, shipping, …) for tests
// and the demo. Each system+operation answers by a scenario that can be set at start and changed
// at run time, per order or per task so parallel tests do not collide. A ledger counts side
// effects per idempotency key, which is how tests prove "no duplicate effect".
package simulator

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/orderfleet/orderfleet/internal/adapter"
)

// Behavior is how a system answers a new idempotency key.
type Behavior string

const (
	// Succeed answers 200 COMPLETED and performs the effect.
	Succeed Behavior = "succeed"
	// FailTransiently answers 503 TransientFailures times per key (default 1), then succeeds.
	FailTransiently Behavior = "fail-transiently"
	// Reject answers 422 REJECTED with ReasonCode; no effect.
	Reject Behavior = "reject"
	// Async answers 202 ACCEPTED, performs the effect, and after Delay posts a signed callback
	// with CallbackOutcome (default COMPLETED) to the request's callbackUrl.
	Async Behavior = "async"
	// NeverAnswer answers 202 ACCEPTED and never calls back: the timeout path.
	NeverAnswer Behavior = "never-answer"
	// Hang holds the request open without answering until the client gives up: the adapter's
	// own timeout path. Nothing is recorded as answered, so a retry meets the scenario again.
	Hang Behavior = "hang"
)

// Scenario configures one system+operation (optionally for one order or task).
type Scenario struct {
	Behavior Behavior `json:"behavior"`
	// TransientFailures is how many 503s each new key gets before Behavior applies.
	TransientFailures int      `json:"transientFailures,omitempty"`
	ReasonCode        string   `json:"reasonCode,omitempty"` // reject, or async with a non-COMPLETED outcome
	Delay             Duration `json:"delay,omitempty"`      // async: wait before the callback
	CallbackOutcome   string   `json:"callbackOutcome,omitempty"`
}

// Validate fills defaults and rejects contradictions.
func (s *Scenario) Validate() error {
	switch s.Behavior {
	case "":
		s.Behavior = Succeed
	case FailTransiently:
		if s.TransientFailures <= 0 {
			s.TransientFailures = 1
		}
	case Succeed, Reject, Async, NeverAnswer, Hang:
	default:
		return fmt.Errorf("unknown behavior %q (succeed, fail-transiently, reject, async, never-answer, hang)", s.Behavior)
	}
	if s.TransientFailures < 0 || s.Delay < 0 {
		return fmt.Errorf("transientFailures and delay must not be negative")
	}
	if s.Behavior == Reject && s.ReasonCode == "" {
		s.ReasonCode = "SIMULATED_REJECTION"
	}
	if s.Behavior == Async {
		switch s.CallbackOutcome {
		case "":
			s.CallbackOutcome = "COMPLETED"
		case "COMPLETED":
		case "REJECTED", "FAILED":
			if s.ReasonCode == "" {
				s.ReasonCode = "SIMULATED_" + s.CallbackOutcome
			}
		default:
			return fmt.Errorf("callbackOutcome %q is not COMPLETED, REJECTED or FAILED", s.CallbackOutcome)
		}
	}
	return nil
}

// Rule applies a scenario to the calls it matches. Empty (or "*") fields match anything; the
// most specific matching rule wins: task over order over global, then system and operation.
type Rule struct {
	OrderID   string `json:"orderId,omitempty"`
	TaskID    string `json:"taskId,omitempty"`
	System    string `json:"system,omitempty"`
	Operation string `json:"operation,omitempty"`
	Scenario
}

func (r *Rule) normalize() error {
	for _, f := range []*string{&r.OrderID, &r.TaskID, &r.System, &r.Operation} {
		if *f == "*" {
			*f = ""
		}
	}
	return r.Scenario.Validate()
}

func (r Rule) sameTarget(o Rule) bool {
	return r.OrderID == o.OrderID && r.TaskID == o.TaskID && r.System == o.System && r.Operation == o.Operation
}

// specificity ranks a matching rule; -1 when it does not match the call.
func (r Rule) specificity(system, operation, orderID, taskID string) int {
	match := func(want, got string) bool { return want == "" || want == got }
	if !match(r.System, system) || !match(r.Operation, operation) || !match(r.OrderID, orderID) || !match(r.TaskID, taskID) {
		return -1
	}
	score := 0
	for bit, set := range []bool{r.Operation != "", r.System != "", r.OrderID != "", r.TaskID != ""} {
		if set {
			score |= 1 << bit
		}
	}
	return score
}

// ParseRules reads rules from configuration text: a JSON array of rules, or "@path" to a file.
func ParseRules(text string) ([]Rule, error) {
	text = strings.TrimSpace(text)
	if path, ok := strings.CutPrefix(text, "@"); ok {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("scenarios: %w", err)
		}
		text = string(b)
	}
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	var rules []Rule
	if err := json.Unmarshal([]byte(text), &rules); err != nil {
		return nil, fmt.Errorf("scenarios: not a JSON array of rules: %w", err)
	}
	for i := range rules {
		if err := rules[i].normalize(); err != nil {
			return nil, fmt.Errorf("scenarios[%d]: %w", i, err)
		}
		if rules[i].System != "" && !slices.Contains(adapter.Systems, rules[i].System) {
			return nil, fmt.Errorf("scenarios[%d]: unknown system %q", i, rules[i].System)
		}
	}
	return rules, nil
}

// Duration is a time.Duration written as Go text ("1.5s") in JSON.
type Duration time.Duration

// MarshalJSON implements json.Marshaler.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON implements json.Unmarshaler.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration must be a string like \"2s\"")
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("duration %q: %w", s, err)
	}
	*d = Duration(v)
	return nil
}
