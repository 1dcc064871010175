package httpapi

import (
	"time"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/omsapi"
)

// The view functions turn domain aggregates into the omsapi shapes the API
// answers with, kept apart from the domain types so either can change.

func viewOrder(o *domain.Order) omsapi.Order {
	v := omsapi.Order{
		OrderID: o.ID, TenantID: o.TenantID, CustomerID: o.CustomerID, Status: string(o.Status),
		CompletionPolicy: string(o.CompletionPolicy), FulfillmentPlanID: o.FulfillmentPlanID,
		SuspensionReason: string(o.SuspensionReason), CancellationCode: o.CancellationCode,
		Version: o.Version, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt, Items: []omsapi.Item{},
	}
	for _, it := range o.Items {
		attrs := it.Attributes
		if attrs == nil {
			attrs = map[string]string{}
		}
		v.Items = append(v.Items, omsapi.Item{
			OrderItemID: it.ID, LineNo: it.LineNo, ProductCode: it.ProductCode, Action: string(it.Action),
			Quantity: it.Quantity, TargetAssetID: it.TargetAssetID, ExpectedAssetVersion: it.ExpectedAssetVersion,
			ParentItemID: it.ParentItemID, ParentAssetID: it.ParentAssetID, Location: it.Location, Attributes: attrs,
		})
	}
	return v
}

func viewPlan(p *domain.Plan) omsapi.Plan {
	v := omsapi.Plan{
		FulfillmentPlanID: p.ID, OrderID: p.OrderID, Status: string(p.Status), CompletionPolicy: string(p.CompletionPolicy),
		CatalogVersion: p.CatalogVersion, Version: p.Version, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
		ParallelGroups: p.ParallelGroups(), Tasks: []omsapi.Task{},
	}
	if v.ParallelGroups == nil {
		v.ParallelGroups = [][]string{}
	}
	for _, t := range p.Tasks {
		v.Tasks = append(v.Tasks, viewTask(t))
	}
	return v
}

func viewTask(t *domain.Task) omsapi.Task {
	deps := t.DependsOn
	if deps == nil {
		deps = []string{}
	}
	return omsapi.Task{
		TaskID: t.ID, OrderItemID: t.OrderItemID, Seq: t.Seq, Key: t.Key, Component: t.Component, TaskType: string(t.Type),
		OwnerSystem: t.OwnerSystem, ExecutionMode: string(t.Mode), Status: string(t.Status), Optional: t.Optional,
		DependsOn: deps, Attempts: t.Attempts, MaxAttempts: t.Retry.MaxAttempts + t.ManualRetries, ManualRetries: t.ManualRetries,
		Compensatable: t.Compensation.Compensatable, LastFailureCode: t.LastFailureCode, LastFailureMessage: t.LastFailureMessage,
		ExternalCorrelationID: t.ExternalCorrelationID, StartedAt: optionalTime(t.StartedAt), CompletedAt: optionalTime(t.CompletedAt),
		Version: t.Version,
	}
}

func optionalTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}
