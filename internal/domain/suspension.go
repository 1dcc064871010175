package domain

import "slices"

// SuspensionReason is why an order is intentionally paused. Suspension is
// not failure (seed 000 §19), so the reason must be one of these.
type SuspensionReason string

const (
	SuspendCustomerHold       SuspensionReason = "CUSTOMER_HOLD"
	SuspendFraudReview        SuspensionReason = "FRAUD_REVIEW"
	SuspendMissingDocument    SuspensionReason = "MISSING_DOCUMENT"
	SuspendDependencyNotReady SuspensionReason = "DEPENDENCY_NOT_READY"
	SuspendComplianceReview   SuspensionReason = "COMPLIANCE_REVIEW"
	SuspendPaymentHold        SuspensionReason = "PAYMENT_HOLD"
)

// SuspensionReasons lists every reason.
var SuspensionReasons = []SuspensionReason{
	SuspendCustomerHold, SuspendFraudReview, SuspendMissingDocument,
	SuspendDependencyNotReady, SuspendComplianceReview, SuspendPaymentHold,
}

// Suspend pauses a FULFILLING order. Tasks already in flight may settle, but
// no new task starts until Resume (see AllowsTaskExecution).
func (o *Order) Suspend(reason SuspensionReason, cause Cause) error {
	if !slices.Contains(SuspensionReasons, reason) {
		return Errorf(EINVALID, "unknown suspension reason %q", reason)
	}
	if o.Status != OrderFulfilling {
		return transitionError("order", string(o.Status), string(OrderSuspended))
	}
	if cause.ReasonCode == "" {
		cause.ReasonCode = string(reason)
	}
	prev := o.SuspensionReason
	o.SuspensionReason = reason
	if err := o.Transition(OrderSuspended, cause); err != nil {
		o.SuspensionReason = prev
		return err
	}
	return nil
}

// Resume continues a suspended order.
func (o *Order) Resume(cause Cause) error {
	if o.Status != OrderSuspended {
		return transitionError("order", string(o.Status), string(OrderFulfilling))
	}
	if err := o.Transition(OrderFulfilling, cause); err != nil {
		return err
	}
	o.SuspensionReason = ""
	return nil
}
