package httpapi

import (
	"net/http"
	"regexp"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/omsapi"
	"github.com/orderfleet/orderfleet/internal/postgres"
)

// lifecycleRequest is the body of cancel, suspend and resume: who asks, with
// which machine-readable reason.
type lifecycleRequest struct {
	ReasonCode        string `json:"reasonCode"`
	Reason            string `json:"reason"`
	EvidenceReference string `json:"evidenceReference"`
	OperatorID        string `json:"operatorId"`
}

var reasonCodePattern = regexp.MustCompile(`^[A-Z][A-Z0-9_]{2,63}$`)

func (req lifecycleRequest) check(allowed []string) error {
	var check fieldCheck
	check.require("operatorId", req.OperatorID)
	switch {
	case allowed != nil:
		check.oneOf("reasonCode", req.ReasonCode, allowed)
	case !reasonCodePattern.MatchString(req.ReasonCode):
		check.add("reasonCode", "must be UPPER_SNAKE_CASE, 3 to 64 characters")
	}
	return check.err()
}

func (req lifecycleRequest) cause(c *call) domain.Cause {
	return domain.Cause{
		Actor: domain.Actor{Type: domain.ActorUser, ID: req.OperatorID}, ReasonCode: req.ReasonCode, Reason: req.Reason,
		EvidenceRef: req.EvidenceReference, CorrelationID: c.correlationID, At: c.now,
	}
}

// orderCommand decodes a lifecycle body and runs apply on the order (and its
// plan, when it has one) in the request's transaction.
func (s *Server) orderCommand(c *call, allowed []string, apply func(*domain.Order, *domain.Plan, lifecycleRequest) (outcome, error)) (txWork, error) {
	orderID, err := c.pathID("orderId")
	if err != nil {
		return nil, err
	}
	var req lifecycleRequest
	if err := c.decodeBody(&req, false); err != nil {
		return nil, err
	}
	if err := req.check(allowed); err != nil {
		return nil, err
	}
	return func(tx *postgres.Tx) (outcome, error) {
		o, err := tx.Order(c.tenantID, orderID)
		if err != nil {
			return outcome{}, err
		}
		var p *domain.Plan
		if o.FulfillmentPlanID != "" {
			if p, err = tx.Plan(c.tenantID, o.FulfillmentPlanID); err != nil {
				return outcome{}, err
			}
		}
		return apply(o, p, req)
	}, nil
}

// cancelOrder applies the cancellation policy of seed 000 §18.1. An order
// nothing has run for is CANCELLED at once (200); a running one becomes
// CANCELLATION_REQUESTED and OrderCancellationRequested reaches the process,
// which cancels pending work and compensates completed effects (202). A
// repeated request answers 200 and changes nothing; a completed order or one
// with irreversible effects is not_eligible (409).
func (s *Server) cancelOrder(c *call) (txWork, error) {
	return s.orderCommand(c, nil, func(o *domain.Order, p *domain.Plan, req lifecycleRequest) (outcome, error) {
		d, err := o.RequestCancellation(p, req.ReasonCode, req.cause(c))
		if err != nil {
			return outcome{}, err
		}
		status := http.StatusOK
		if d.Behavior == domain.CancelThroughWorkflow {
			status = http.StatusAccepted
		}
		return outcome{status: status, body: omsapi.Lifecycle{OrderID: o.ID, Status: string(o.Status),
			Behavior: string(d.Behavior), Explanation: d.Reason}}, nil
	})
}

// suspendOrder pauses a FULFILLING order for one of seed 000 §19's reasons;
// OrderSuspended reaches the process through the outbox.
func (s *Server) suspendOrder(c *call) (txWork, error) {
	return s.orderCommand(c, names(domain.SuspensionReasons), func(o *domain.Order, _ *domain.Plan, req lifecycleRequest) (outcome, error) {
		if err := o.Suspend(domain.SuspensionReason(req.ReasonCode), req.cause(c)); err != nil {
			return outcome{}, err
		}
		return outcome{status: http.StatusOK, body: omsapi.Lifecycle{OrderID: o.ID, Status: string(o.Status),
			SuspensionReason: string(o.SuspensionReason)}}, nil
	})
}

// resumeOrder continues a SUSPENDED order; OrderResumed reaches the process.
func (s *Server) resumeOrder(c *call) (txWork, error) {
	return s.orderCommand(c, nil, func(o *domain.Order, _ *domain.Plan, req lifecycleRequest) (outcome, error) {
		if err := o.Resume(req.cause(c)); err != nil {
			return outcome{}, err
		}
		return outcome{status: http.StatusOK, body: omsapi.Lifecycle{OrderID: o.ID, Status: string(o.Status)}}, nil
	})
}
