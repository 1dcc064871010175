package fulfillment

import (
	"context"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/postgres"
)

// CapturedOrder names what CaptureOrder created.
type CapturedOrder struct {
	TenantID          string
	OrderID           string
	FulfillmentPlanID string
	TaskCount         int
}

// CaptureOrder is seed 001 §6's safe start: validate, decompose, persist the order, its plan and
// the workflow start request in one transaction. The start relay starts the process later, so a
// crash here leaves either nothing or everything.
func CaptureOrder(ctx context.Context, store *postgres.Store, catalog *domain.Catalog, in domain.NewOrderInput, cause domain.Cause) (CapturedOrder, error) {
	ids := domain.RandomIDs()
	o, err := domain.NewOrder(in, ids, cause)
	if err != nil {
		return CapturedOrder{}, err
	}
	plan, start, err := domain.PrepareFulfillment(o, catalog, store.AssetLookup(ctx), ids, cause)
	if err != nil {
		return CapturedOrder{}, err
	}
	if err := store.CreateOrderWithPlan(ctx, o, plan, start); err != nil {
		return CapturedOrder{}, err
	}
	return CapturedOrder{TenantID: o.TenantID, OrderID: o.ID, FulfillmentPlanID: plan.ID, TaskCount: len(plan.Tasks)}, nil
}
