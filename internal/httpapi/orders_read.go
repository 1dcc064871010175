package httpapi

import (
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/omsapi"
	"github.com/orderfleet/orderfleet/internal/postgres"
)

// getOrder answers one order with its items. Another tenant's order is not
// found, exactly like one that does not exist.
func (s *Server) getOrder(c *call) (any, error) {
	id, err := c.pathID("orderId")
	if err != nil {
		return nil, err
	}
	o, err := s.store.GetOrder(c.r.Context(), c.tenantID, id)
	if err != nil {
		return nil, err
	}
	return viewOrder(o), nil
}

// listOrders pages through the tenant's orders, newest first, optionally
// only those in one status or of one customer.
func (s *Server) listOrders(c *call) (any, error) {
	pg, err := s.parsePage(c, "orders")
	var check fieldCheck
	status := c.r.URL.Query().Get("status")
	if status != "" {
		check.oneOf("status", status, names(domain.OrderStatuses))
	}
	if err == nil {
		err = check.err()
	}
	if err != nil {
		return nil, err
	}
	after, afterID := afterKey(pg.after)
	rows, err := s.store.Pool().Query(c.r.Context(), `
		select id::text, tenant_id, customer_id, status, completion_policy, coalesce(fulfillment_plan_id::text, ''),
		       coalesce(suspension_reason, ''), coalesce(cancellation_code, ''), version, created_at, updated_at
		from customer_order
		where tenant_id = $1 and ($2 = '' or status = $2) and ($3 = '' or customer_id = $3)
		  and ($4::timestamptz is null or (created_at, id) < ($4, $5::uuid))
		order by created_at desc, id desc
		limit $6`,
		c.tenantID, status, c.r.URL.Query().Get("customerId"), after, afterID, pg.limit+1)
	if err != nil {
		return nil, err
	}
	orders, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (omsapi.Order, error) {
		var v omsapi.Order
		err := r.Scan(&v.OrderID, &v.TenantID, &v.CustomerID, &v.Status, &v.CompletionPolicy, &v.FulfillmentPlanID,
			&v.SuspensionReason, &v.CancellationCode, &v.Version, &v.CreatedAt, &v.UpdatedAt)
		v.CreatedAt, v.UpdatedAt = v.CreatedAt.UTC(), v.UpdatedAt.UTC()
		return v, err
	})
	if err != nil {
		return nil, err
	}
	return cut(orders, pg.limit, func(v omsapi.Order) cursor {
		return cursor{List: "orders", At: v.CreatedAt, ID: v.OrderID}
	}), nil
}

// afterKey is the (time, id) keyset position of a cursor; nil time on the
// first page. The zero UUID keeps the query's uuid cast valid.
func afterKey(cur *cursor) (*time.Time, string) {
	if cur == nil || !domain.IsUUID(cur.ID) {
		return nil, "00000000-0000-0000-0000-000000000000"
	}
	at := cur.At
	return &at, cur.ID
}

// orderExists is the tenant guard of routes that read around an order
// without loading it.
func (s *Server) orderExists(c *call, orderID string) error {
	var one int
	err := s.store.Pool().QueryRow(c.r.Context(),
		`select 1 from customer_order where tenant_id = $1 and id = $2`, c.tenantID, orderID).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.Errorf(domain.ENOTFOUND, "no order %s", orderID)
	}
	return err
}

// inOrder loads an order and its plan in a read transaction.
func (s *Server) inOrder(c *call, fn func(*domain.Order, *domain.Plan) error) error {
	id, err := c.pathID("orderId")
	if err != nil {
		return err
	}
	return s.store.Do(c.r.Context(), func(tx *postgres.Tx) error {
		o, err := tx.Order(c.tenantID, id)
		if err != nil {
			return err
		}
		if o.FulfillmentPlanID == "" {
			return domain.Errorf(domain.ENOTFOUND, "order %s has no fulfillment plan yet", o.ID)
		}
		p, err := tx.Plan(c.tenantID, o.FulfillmentPlanID)
		if err != nil {
			return err
		}
		return fn(o, p)
	})
}
