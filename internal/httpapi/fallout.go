package httpapi

import (
	"github.com/jackc/pgx/v5"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/omsapi"
	"github.com/orderfleet/orderfleet/internal/postgres"
)

// listFalloutCases pages through the tenant's fallout cases, oldest first:
// the operators' work queue. ?status= narrows it (e.g. OPEN).
func (s *Server) listFalloutCases(c *call) (any, error) {
	return s.falloutPage(c, nil)
}

// listOrderFalloutCases is the same list for one order.
func (s *Server) listOrderFalloutCases(c *call) (any, error) {
	orderID, err := c.pathID("orderId")
	if err != nil {
		return nil, err
	}
	if err := s.orderExists(c, orderID); err != nil {
		return nil, err
	}
	return s.falloutPage(c, &orderID)
}

func (s *Server) falloutPage(c *call, orderID *string) (any, error) {
	pg, err := s.parsePage(c, "fallout-cases")
	status := c.r.URL.Query().Get("status")
	var check fieldCheck
	if status != "" {
		check.oneOf("status", status, names(domain.FalloutStatuses))
	}
	if err == nil {
		err = check.err()
	}
	if err != nil {
		return nil, err
	}
	after, afterID := afterKey(pg.after)
	rows, err := s.store.Pool().Query(c.r.Context(), `
		select id::text, order_id::text, coalesce(order_item_id::text, ''), fulfillment_plan_id::text, coalesce(task_id::text, ''),
		       category, severity, customer_impact, retryable, requires_manual_repair, suggested_repair_actions, source_system,
		       coalesce(external_correlation_id, ''), coalesce(evidence_hash, ''), coalesce(description, ''), status,
		       coalesce(resolution, ''), coalesce(resolved_by, ''), resolved_at, version, created_at
		from fallout_case
		where tenant_id = $1 and ($2::uuid is null or order_id = $2::uuid) and ($3 = '' or status = $3)
		  and ($4::timestamptz is null or (created_at, id) > ($4, $5::uuid))
		order by created_at, id
		limit $6`,
		c.tenantID, orderID, status, after, afterID, pg.limit+1)
	if err != nil {
		return nil, err
	}
	cases, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (omsapi.FalloutCase, error) {
		var v omsapi.FalloutCase
		err := r.Scan(&v.FalloutCaseID, &v.OrderID, &v.OrderItemID, &v.FulfillmentPlanID, &v.TaskID, &v.Category, &v.Severity,
			&v.CustomerImpact, &v.Retryable, &v.RequiresManualRepair, &v.SuggestedRepairActions, &v.SourceSystem,
			&v.ExternalCorrelationID, &v.EvidenceHash, &v.Description, &v.Status, &v.Resolution, &v.ResolvedBy,
			&v.ResolvedAt, &v.Version, &v.CreatedAt)
		v.CreatedAt, v.ResolvedAt = v.CreatedAt.UTC(), utcPtr(v.ResolvedAt)
		if v.SuggestedRepairActions == nil {
			v.SuggestedRepairActions = []string{}
		}
		return v, err
	})
	if err != nil {
		return nil, err
	}
	return cut(cases, pg.limit, func(v omsapi.FalloutCase) cursor {
		return cursor{List: "fallout-cases", At: v.CreatedAt, ID: v.FalloutCaseID}
	}), nil
}

// falloutOfOrder loads a case that must belong to the order in the path; a
// case of another order is not found there.
func falloutOfOrder(tx *postgres.Tx, tenantID, orderID, falloutCaseID string) (*domain.FalloutCase, error) {
	fc, err := tx.Fallout(tenantID, falloutCaseID)
	if err != nil {
		return nil, err
	}
	if fc.OrderID != orderID {
		return nil, domain.Errorf(domain.ENOTFOUND, "order %s has no fallout case %s", orderID, falloutCaseID)
	}
	return fc, nil
}
