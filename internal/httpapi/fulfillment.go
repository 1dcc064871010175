package httpapi

import (
	"errors"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/omsapi"
	"github.com/orderfleet/orderfleet/internal/postgres"
)

// startFulfillment asks for the order's process to be started. Capture
// already stores the start request, so usually this answers 200 with it and
// its progress (PENDING until the start relay has started the instance).
// An order still CAPTURED or VALIDATED is decomposed now and answered 202.
// The engine is never called here: the start relay performs the start.
func (s *Server) startFulfillment(c *call) (txWork, error) {
	id, err := c.pathID("orderId")
	if err != nil {
		return nil, err
	}
	if err := c.decodeBody(&struct{}{}, true); err != nil {
		return nil, err
	}
	return func(tx *postgres.Tx) (outcome, error) {
		o, err := tx.Order(c.tenantID, id)
		if err != nil {
			return outcome{}, err
		}
		existing, err := startRequestOf(tx, o)
		if err == nil {
			return outcome{status: http.StatusOK, body: existing}, nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return outcome{}, err
		}
		if o.Status != domain.OrderCaptured && o.Status != domain.OrderValidated {
			return outcome{}, domain.Errorf(domain.EINVALIDTRANSITION, "order %s is %s and has no start request to return", o.ID, o.Status)
		}
		plan, start, err := domain.PrepareFulfillment(o, s.catalog, assetsIn(tx), domain.RandomIDs(), s.systemCause(c))
		if err != nil {
			return outcome{}, err
		}
		tx.AddPlan(plan)
		tx.AddWorkflowStartRequest(start)
		return outcome{status: http.StatusAccepted, body: omsapi.StartRequest{
			WorkflowStartRequestID: start.ID, OrderID: o.ID, FulfillmentPlanID: plan.ID, ProcessID: start.ProcessID,
			BusinessKey: start.BusinessKey, Status: start.Status, CreatedAt: start.CreatedAt,
		}}, nil
	}, nil
}

func startRequestOf(tx *postgres.Tx, o *domain.Order) (omsapi.StartRequest, error) {
	var v omsapi.StartRequest
	var lastErr, key *string
	err := tx.Raw().QueryRow(tx.Context(), `
		select id::text, order_id::text, fulfillment_plan_id::text, process_id, business_key, status, attempts,
		       last_error, process_instance_key, created_at, started_at
		from workflow_start_request
		where tenant_id = $1 and order_id = $2 and fulfillment_plan_id::text = $3
		order by created_at desc limit 1`, o.TenantID, o.ID, o.FulfillmentPlanID).Scan(
		&v.WorkflowStartRequestID, &v.OrderID, &v.FulfillmentPlanID, &v.ProcessID, &v.BusinessKey, &v.Status, &v.Attempts,
		&lastErr, &key, &v.CreatedAt, &v.StartedAt)
	if lastErr != nil {
		v.LastError = *lastErr
	}
	if key != nil {
		v.ProcessInstanceKey = *key
	}
	v.CreatedAt, v.StartedAt = v.CreatedAt.UTC(), utcPtr(v.StartedAt)
	return v, err
}

// getPlan answers the order's fulfillment plan with every task.
func (s *Server) getPlan(c *call) (any, error) {
	var v omsapi.Plan
	err := s.inOrder(c, func(_ *domain.Order, p *domain.Plan) error {
		v = viewPlan(p)
		return nil
	})
	return v, err
}

// listTasks pages through the plan's tasks in plan order, optionally only
// those in one status.
func (s *Server) listTasks(c *call) (any, error) {
	pg, err := s.parsePage(c, "tasks")
	status := c.r.URL.Query().Get("status")
	var check fieldCheck
	if status != "" {
		check.oneOf("status", status, names(domain.TaskStatuses))
	}
	if err == nil {
		err = check.err()
	}
	if err != nil {
		return nil, err
	}
	var rows []omsapi.Task
	err = s.inOrder(c, func(_ *domain.Order, p *domain.Plan) error {
		for _, t := range p.Tasks {
			if (pg.after == nil || t.Seq > pg.after.Seq) && (status == "" || string(t.Status) == status) {
				rows = append(rows, viewTask(t))
			}
			if len(rows) > pg.limit {
				break
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return cut(rows, pg.limit, func(t omsapi.Task) cursor { return cursor{List: "tasks", Seq: t.Seq} }), nil
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
