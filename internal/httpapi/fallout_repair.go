package httpapi

import (
	"net/http"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/omsapi"
	"github.com/orderfleet/orderfleet/internal/postgres"
)

type repairRequest struct {
	Action string `json:"action"`
	justification
}

// repairFallout resolves a fallout case with a repair action as a domain
// command (seed 001 §17): FulfillmentFalloutRepaired, with falloutCaseId and
// repairAction, goes out through the outbox and the router correlates it
// with the waiting process. MANUAL_CLOSE also closes the order here, since
// the process just ends on that path; COMPENSATE leaves the compensation
// plan to the compensation worker the process calls next.
func (s *Server) repairFallout(c *call) (txWork, error) {
	orderID, err := c.pathID("orderId")
	if err != nil {
		return nil, err
	}
	falloutCaseID, err := c.pathID("falloutCaseId")
	if err != nil {
		return nil, err
	}
	var req repairRequest
	if err := c.decodeBody(&req, false); err != nil {
		return nil, err
	}
	var check fieldCheck
	check.oneOf("action", req.Action, names(domain.RepairActions))
	req.justification.check(&check, req.Action == string(domain.RepairSkipWithApproval))
	if err := check.err(); err != nil {
		return nil, err
	}
	action := domain.RepairAction(req.Action)
	return func(tx *postgres.Tx) (outcome, error) {
		o, err := tx.Order(c.tenantID, orderID)
		if err != nil {
			return outcome{}, err
		}
		fc, err := falloutOfOrder(tx, c.tenantID, orderID, falloutCaseID)
		if err != nil {
			return outcome{}, err
		}
		p, err := tx.Plan(c.tenantID, fc.FulfillmentPlanID)
		if err != nil {
			return outcome{}, err
		}
		progress, err := domain.RepairFallout(fc, p, action, req.justification.domain(), c.correlationID, c.now)
		if err != nil {
			return outcome{}, err
		}
		if action == domain.RepairManualClose {
			if err := o.CloseManually(req.justification.domain(), c.correlationID, domain.Cause{At: c.now}); err != nil {
				return outcome{}, err
			}
		}
		return outcome{status: http.StatusOK, body: omsapi.Repair{FalloutCaseID: fc.ID, OrderID: o.ID, RepairAction: string(action),
			FalloutStatus: string(fc.Status), OrderStatus: string(o.Status), Progress: viewProgress(progress)}}, nil
	}, nil
}
