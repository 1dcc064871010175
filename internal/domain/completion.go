package domain

import "fmt"

// CompletionPolicy states explicitly how billing activation gates order
// completion (seed 001 §19); BPMN must ask, not hard-code a gateway.
type CompletionPolicy string

const (
	CompletionRequiresBillingActive          CompletionPolicy = "COMPLETION_REQUIRES_BILLING_ACTIVE"
	CompletionAllowsBillingPending           CompletionPolicy = "COMPLETION_ALLOWS_BILLING_PENDING"
	CompletionRequiresBillingRequestAccepted CompletionPolicy = "COMPLETION_REQUIRES_BILLING_REQUEST_ACCEPTED"
)

// CompletionPolicies lists every policy.
var CompletionPolicies = []CompletionPolicy{
	CompletionRequiresBillingActive, CompletionAllowsBillingPending, CompletionRequiresBillingRequestAccepted,
}

// Valid reports whether c is a known policy.
func (c CompletionPolicy) Valid() bool {
	switch c {
	case CompletionRequiresBillingActive, CompletionAllowsBillingPending, CompletionRequiresBillingRequestAccepted:
		return true
	}
	return false
}

// billingAcceptable lists, per policy, the billing task states that let the
// order complete. "Pending" means requested but not yet active: a billing
// task never started is not pending, it is missing.
var billingAcceptable = map[CompletionPolicy][]TaskStatus{
	CompletionRequiresBillingActive:          {TaskCompleted},
	CompletionRequiresBillingRequestAccepted: {TaskSubmitted, TaskWaiting, TaskCompleted},
	CompletionAllowsBillingPending:           {TaskInProgress, TaskSubmitted, TaskWaiting, TaskCompleted},
}

// CompletionVerdict explains the answer, so a refusal can be shown and
// audited rather than just being "false".
type CompletionVerdict struct {
	Allowed bool
	Reasons []string
	// BillingPending is true when completion is allowed while a billing
	// activation has not finished yet.
	BillingPending bool
}

// IsOrderCompletionAllowed applies the completion policy to a plan: every
// required non-billing task must be done, required billing tasks must be in
// a state the policy accepts, and no optional task may still be in flight.
func IsOrderCompletionAllowed(policy CompletionPolicy, plan *Plan) CompletionVerdict {
	v := CompletionVerdict{Allowed: true}
	deny := func(format string, args ...any) {
		v.Allowed = false
		v.Reasons = append(v.Reasons, fmt.Sprintf(format, args...))
	}
	acceptable, ok := billingAcceptable[policy]
	if !ok {
		deny("unknown completion policy %q", policy)
		return v
	}
	for _, t := range plan.Tasks {
		switch {
		case t.Type == TaskActivateBilling && !t.Optional:
			if !containsStatus(acceptable, t.Status) {
				deny("billing task %s is %s, policy %s", t.ID, t.Status, policy)
			} else if t.Status != TaskCompleted {
				v.BillingPending = true
			}
		case !t.Optional && !t.Status.Done():
			deny("required task %s (%s) is %s", t.ID, t.Type, t.Status)
		case t.Optional && t.Status.InFlight():
			deny("optional task %s (%s) is still in flight", t.ID, t.Type)
		}
	}
	if !v.Allowed {
		v.BillingPending = false
	}
	return v
}

func containsStatus(list []TaskStatus, s TaskStatus) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
