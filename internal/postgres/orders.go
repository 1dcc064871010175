package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/orderfleet/orderfleet/internal/domain"
)

// AddOrder schedules a new order (with its items) for insertion.
func (t *Tx) AddOrder(o *domain.Order) {
	t.orders = append(t.orders, &tracked[*domain.Order]{agg: o, isNew: true})
}

// Order loads an order with its items.
func (t *Tx) Order(tenantID, id string) (*domain.Order, error) {
	for _, o := range t.orders {
		if o.agg.ID == id && o.agg.TenantID == tenantID {
			return o.agg, nil
		}
	}
	o := &domain.Order{}
	var planID, suspension, cancel *string
	err := t.tx.QueryRow(t.ctx, `
		select id, tenant_id, customer_id, status, completion_policy, fulfillment_plan_id::text,
		       suspension_reason, cancellation_code, version, created_at, updated_at
		from customer_order where tenant_id = $1 and id = $2`, tenantID, id).Scan(
		&o.ID, &o.TenantID, &o.CustomerID, &o.Status, &o.CompletionPolicy, &planID,
		&suspension, &cancel, &o.Version, &o.CreatedAt, &o.UpdatedAt)
	if err != nil {
		return nil, mapError("load order "+id, err)
	}
	o.FulfillmentPlanID, o.SuspensionReason, o.CancellationCode = str(planID), domain.SuspensionReason(str(suspension)), str(cancel)
	o.CreatedAt, o.UpdatedAt = o.CreatedAt.UTC(), o.UpdatedAt.UTC()
	rows, err := t.tx.Query(t.ctx, `
		select id, line_no, product_code, action, quantity, target_asset_id::text, coalesce(expected_asset_version, 0),
		       parent_item_id::text, parent_asset_id::text, location, attributes
		from order_item where tenant_id = $1 and order_id = $2 order by line_no`, tenantID, id)
	if err != nil {
		return nil, mapError("load order items", err)
	}
	o.Items, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.OrderItem, error) {
		var it domain.OrderItem
		var target, parentItem, parentAsset, loc *string
		err := r.Scan(&it.ID, &it.LineNo, &it.ProductCode, &it.Action, &it.Quantity, &target,
			&it.ExpectedAssetVersion, &parentItem, &parentAsset, &loc, &it.Attributes)
		it.TargetAssetID, it.ParentItemID, it.ParentAssetID, it.Location = str(target), str(parentItem), str(parentAsset), str(loc)
		return it, err
	})
	if err != nil {
		return nil, mapError("load order items", err)
	}
	t.orders = append(t.orders, &tracked[*domain.Order]{agg: o, version: o.Version})
	return o, nil
}

func (t *Tx) saveOrder(tr *tracked[*domain.Order]) error {
	o := tr.agg
	if tr.isNew {
		_, err := t.tx.Exec(t.ctx, `
			insert into customer_order (id, tenant_id, customer_id, status, completion_policy, fulfillment_plan_id,
			    suspension_reason, cancellation_code, version, created_at, updated_at)
			values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			o.ID, o.TenantID, o.CustomerID, o.Status, o.CompletionPolicy, nullString(o.FulfillmentPlanID),
			nullString(string(o.SuspensionReason)), nullString(o.CancellationCode), o.Version, o.CreatedAt, o.UpdatedAt)
		if err != nil {
			return mapError("insert order "+o.ID, err)
		}
		for _, it := range o.Items {
			_, err := t.tx.Exec(t.ctx, `
				insert into order_item (id, tenant_id, order_id, line_no, product_code, action, quantity, target_asset_id,
				    expected_asset_version, parent_item_id, parent_asset_id, location, attributes)
				values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
				it.ID, o.TenantID, o.ID, it.LineNo, it.ProductCode, it.Action, it.Quantity, nullString(it.TargetAssetID),
				it.ExpectedAssetVersion, nullString(it.ParentItemID), nullString(it.ParentAssetID), nullString(it.Location), attrs(it.Attributes))
			if err != nil {
				return mapError("insert order item", err)
			}
		}
		tr.written = true
		return nil
	}
	if !o.HasPending() {
		return nil
	}
	tag, err := t.tx.Exec(t.ctx, `
		update customer_order set status = $4, completion_policy = $5, fulfillment_plan_id = $6,
		    suspension_reason = $7, cancellation_code = $8, updated_at = $9, version = version + 1
		where tenant_id = $1 and id = $2 and version = $3`,
		o.TenantID, o.ID, tr.version, o.Status, o.CompletionPolicy, nullString(o.FulfillmentPlanID),
		nullString(string(o.SuspensionReason)), nullString(o.CancellationCode), o.UpdatedAt)
	if err != nil {
		return mapError("update order "+o.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return versionConflict("order", o.ID, tr.version)
	}
	tr.written = true
	return nil
}

func attrs(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// CreateOrderWithPlan stores a prepared order, its plan (tasks and
// dependencies), the workflow start request and all their audit entries and
// events — OrderFulfillmentRequested among them — in one transaction
// (seed 001 §6).
func (s *Store) CreateOrderWithPlan(ctx context.Context, o *domain.Order, p *domain.Plan, start domain.WorkflowStartRequest) error {
	return s.Do(ctx, func(tx *Tx) error {
		tx.AddOrder(o)
		tx.AddPlan(p)
		tx.AddWorkflowStartRequest(start)
		return nil
	})
}

// GetOrder reads an order with its items.
func (s *Store) GetOrder(ctx context.Context, tenantID, id string) (*domain.Order, error) {
	var o *domain.Order
	err := s.Do(ctx, func(tx *Tx) (err error) {
		o, err = tx.Order(tenantID, id)
		return err
	})
	return o, err
}

// UpdateOrder loads an order, lets fn change it and stores the result with
// its audit and outbox rows, or returns version_conflict if it moved on.
func (s *Store) UpdateOrder(ctx context.Context, tenantID, id string, fn func(*domain.Order) error) error {
	return s.Do(ctx, func(tx *Tx) error {
		o, err := tx.Order(tenantID, id)
		if err != nil {
			return err
		}
		return fn(o)
	})
}

// UpdateOrderAndPlan changes an order and its plan in one transaction, for
// steps that move both (start fulfilment, finalise, cancel, fail).
func (s *Store) UpdateOrderAndPlan(ctx context.Context, tenantID, orderID string, fn func(*domain.Order, *domain.Plan) error) error {
	return s.Do(ctx, func(tx *Tx) error {
		o, err := tx.Order(tenantID, orderID)
		if err != nil {
			return err
		}
		if o.FulfillmentPlanID == "" {
			return domain.Errorf(domain.ENOTFOUND, "order %s has no fulfilment plan", orderID)
		}
		p, err := tx.Plan(tenantID, o.FulfillmentPlanID)
		if err != nil {
			return err
		}
		return fn(o, p)
	})
}
