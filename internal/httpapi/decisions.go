package httpapi

import (
	"net/http"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/omsapi"
	"github.com/orderfleet/orderfleet/internal/postgres"
)

// justification is the structured "why" of every operator command (seed 000
// §17.1): a reason code instead of "fixed it, retry pls", free text,
// evidence, who decided and, for approvals, who approved.
type justification struct {
	ReasonCode        string `json:"reasonCode"`
	Reason            string `json:"reason"`
	EvidenceReference string `json:"evidenceReference"`
	OperatorID        string `json:"operatorId"`
	ApproverID        string `json:"approverId"`
}

func (j justification) check(check *fieldCheck, approval bool) {
	if !reasonCodePattern.MatchString(j.ReasonCode) {
		check.add("reasonCode", "must be UPPER_SNAKE_CASE, 3 to 64 characters")
	}
	check.require("reason", j.Reason)
	check.require("operatorId", j.OperatorID)
	if approval {
		check.require("approverId", j.ApproverID)
		check.require("evidenceReference", j.EvidenceReference)
		if j.ApproverID != "" && j.ApproverID == j.OperatorID {
			check.add("approverId", "must be another person than operatorId")
		}
	}
}

func (j justification) domain() domain.Justification {
	return domain.Justification{ReasonCode: j.ReasonCode, Reason: j.Reason, EvidenceReference: j.EvidenceReference,
		OperatorID: j.OperatorID, ApproverID: j.ApproverID}
}

type decisionRequest struct {
	Decision      string `json:"decision"`
	FalloutCaseID string `json:"falloutCaseId"`
	justification
}

func viewProgress(p domain.Progress) omsapi.Progress {
	return omsapi.Progress{ReadyTaskIDs: orEmpty(p.ReadyTaskIDs), InFlightTaskIDs: orEmpty(p.InFlightTaskIDs),
		AllRequiredTasksDone: p.AllRequiredTasksDone, CompletionAllowed: p.CompletionAllowed, Stuck: p.Stuck}
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// retryTask is the RETRY decision: a FAILED or TIMED_OUT task goes back to
// READY, with one more attempt granted when its budget is spent.
func (s *Server) retryTask(c *call) (txWork, error) {
	var j justification
	if err := c.decodeBody(&j, false); err != nil {
		return nil, err
	}
	return s.decide(c, domain.DecisionRetry, j, "", http.StatusOK)
}

// skipTask is SKIP_WITH_APPROVAL: it needs an approver other than the
// operator and the evidence the approval rests on.
func (s *Server) skipTask(c *call) (txWork, error) {
	var j justification
	if err := c.decodeBody(&j, false); err != nil {
		return nil, err
	}
	return s.decide(c, domain.DecisionSkipWithApproval, j, "", http.StatusOK)
}

// recordDecision records any allowed manual decision (seed 001 §13).
func (s *Server) recordDecision(c *call) (txWork, error) {
	var req decisionRequest
	if err := c.decodeBody(&req, false); err != nil {
		return nil, err
	}
	var check fieldCheck
	check.oneOf("decision", req.Decision, names(domain.DecisionTypes))
	if req.FalloutCaseID != "" && !domain.IsUUID(req.FalloutCaseID) {
		check.add("falloutCaseId", "must be a UUID")
	}
	if err := check.err(); err != nil {
		return nil, err
	}
	return s.decide(c, domain.DecisionType(req.Decision), req.justification, req.FalloutCaseID, http.StatusCreated)
}

// decide validates a decision, applies it to the task through the domain,
// stores the manual_decision row and the ManualDecisionRecorded event. The
// engine side reacts to that event; nothing here calls the engine.
func (s *Server) decide(c *call, kind domain.DecisionType, j justification, falloutCaseID string, status int) (txWork, error) {
	orderID, err := c.pathID("orderId")
	if err != nil {
		return nil, err
	}
	taskID, err := c.pathID("taskId")
	if err != nil {
		return nil, err
	}
	var check fieldCheck
	j.check(&check, kind == domain.DecisionSkipWithApproval)
	if kind == domain.DecisionComplete {
		check.require("evidenceReference", j.EvidenceReference)
	}
	if err := check.err(); err != nil {
		return nil, err
	}
	return func(tx *postgres.Tx) (outcome, error) {
		p, err := tx.PlanOfOrder(c.tenantID, orderID)
		if err != nil {
			return outcome{}, err
		}
		if falloutCaseID != "" {
			if _, err := falloutOfOrder(tx, c.tenantID, orderID, falloutCaseID); err != nil {
				return outcome{}, err
			}
		}
		d := domain.ManualDecision{
			ID: domain.NewUUID(), TenantID: c.tenantID, OrderID: orderID, PlanID: p.ID, TaskID: taskID,
			FalloutCaseID: falloutCaseID, Decision: kind, Justification: j.domain(), DecidedAt: c.now,
		}
		d.IdempotencyKey = c.idempotencyKey
		if d.IdempotencyKey == "" {
			d.IdempotencyKey = "oms-api:" + d.ID
		}
		progress, err := p.ApplyManualDecision(d, c.correlationID)
		if err != nil {
			return outcome{}, err
		}
		tx.AddManualDecision(d)
		tx.Record(nil, []domain.Event{d.RecordedEvent(c.correlationID)})
		t, err := p.Task(taskID)
		if err != nil {
			return outcome{}, err
		}
		return outcome{status: status, body: omsapi.Decision{ManualDecisionID: d.ID, OrderID: orderID, TaskID: taskID,
			Decision: string(kind), TaskStatus: string(t.Status), Progress: viewProgress(progress)}}, nil
	}, nil
}
