package omsclient

// Justification is the structured why of an operator command.
type Justification struct {
	ReasonCode        string `json:"reasonCode"`
	Reason            string `json:"reason"`
	EvidenceReference string `json:"evidenceReference,omitempty"`
	OperatorID        string `json:"operatorId"`
	ApproverID        string `json:"approverId,omitempty"`
}
