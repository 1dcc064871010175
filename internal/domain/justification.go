package domain

import "regexp"

// Justification is the structured "why" every human decision must carry
// (seed 000 §17.1): a machine-readable reason code instead of "fixed it,
// retry pls", a free-text reason, evidence, and who decided.
type Justification struct {
	ReasonCode        string
	Reason            string
	EvidenceReference string
	OperatorID        string
	ApproverID        string // second person for decisions that need approval
}

var reasonCodePattern = regexp.MustCompile(`^[A-Z][A-Z0-9_]{2,63}$`)

func (j Justification) validate() error {
	if err := requireText(map[string]string{"reasonCode": j.ReasonCode, "reason": j.Reason, "operatorId": j.OperatorID}); err != nil {
		return err
	}
	if !reasonCodePattern.MatchString(j.ReasonCode) {
		return Errorf(EINVALID, "reason code %q must be UPPER_SNAKE_CASE, 3-64 characters", j.ReasonCode)
	}
	return nil
}

// validateApproval enforces four eyes: an approved action names an approver
// other than the operator, and the evidence it rests on.
func (j Justification) validateApproval() error {
	if err := j.validate(); err != nil {
		return err
	}
	if j.ApproverID == "" || j.ApproverID == j.OperatorID {
		return Errorf(EINVALID, "approval needs an approver other than the operator")
	}
	if j.EvidenceReference == "" {
		return Errorf(EINVALID, "approval needs an evidence reference")
	}
	return nil
}

// cause turns a human decision into the cause of the changes it makes.
func (j Justification) cause(correlationID string, base Cause) Cause {
	return Cause{
		Actor:         Actor{Type: ActorUser, ID: j.OperatorID},
		ReasonCode:    j.ReasonCode,
		Reason:        j.Reason,
		EvidenceRef:   j.EvidenceReference,
		CorrelationID: correlationID,
		At:            base.At,
	}
}
