package httpapi

import (
	"time"

	"github.com/orderfleet/orderfleet/internal/domain"
)

// The JSON shapes the API answers with. They are the public contract (see
// openapi.json), kept apart from the domain types so either can change.

type orderView struct {
	OrderID           string     `json:"orderId"`
	TenantID          string     `json:"tenantId"`
	CustomerID        string     `json:"customerId"`
	Status            string     `json:"status"`
	CompletionPolicy  string     `json:"completionPolicy"`
	FulfillmentPlanID string     `json:"fulfillmentPlanId,omitempty"`
	SuspensionReason  string     `json:"suspensionReason,omitempty"`
	CancellationCode  string     `json:"cancellationCode,omitempty"`
	Version           int64      `json:"version"`
	CreatedAt         time.Time  `json:"createdAt"`
	UpdatedAt         time.Time  `json:"updatedAt"`
	Items             []itemView `json:"items,omitempty"`
}

type itemView struct {
	OrderItemID          string            `json:"orderItemId"`
	LineNo               int               `json:"lineNo"`
	ProductCode          string            `json:"productCode"`
	Action               string            `json:"action"`
	Quantity             int               `json:"quantity"`
	TargetAssetID        string            `json:"targetAssetId,omitempty"`
	ExpectedAssetVersion int64             `json:"expectedAssetVersion,omitempty"`
	ParentItemID         string            `json:"parentItemId,omitempty"`
	ParentAssetID        string            `json:"parentAssetId,omitempty"`
	Location             string            `json:"location,omitempty"`
	Attributes           map[string]string `json:"attributes"`
}

func viewOrder(o *domain.Order) orderView {
	v := orderView{
		OrderID: o.ID, TenantID: o.TenantID, CustomerID: o.CustomerID, Status: string(o.Status),
		CompletionPolicy: string(o.CompletionPolicy), FulfillmentPlanID: o.FulfillmentPlanID,
		SuspensionReason: string(o.SuspensionReason), CancellationCode: o.CancellationCode,
		Version: o.Version, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt, Items: []itemView{},
	}
	for _, it := range o.Items {
		attrs := it.Attributes
		if attrs == nil {
			attrs = map[string]string{}
		}
		v.Items = append(v.Items, itemView{
			OrderItemID: it.ID, LineNo: it.LineNo, ProductCode: it.ProductCode, Action: string(it.Action),
			Quantity: it.Quantity, TargetAssetID: it.TargetAssetID, ExpectedAssetVersion: it.ExpectedAssetVersion,
			ParentItemID: it.ParentItemID, ParentAssetID: it.ParentAssetID, Location: it.Location, Attributes: attrs,
		})
	}
	return v
}

type planView struct {
	FulfillmentPlanID string     `json:"fulfillmentPlanId"`
	OrderID           string     `json:"orderId"`
	Status            string     `json:"status"`
	CompletionPolicy  string     `json:"completionPolicy"`
	CatalogVersion    string     `json:"catalogVersion"`
	Version           int64      `json:"version"`
	CreatedAt         time.Time  `json:"createdAt"`
	UpdatedAt         time.Time  `json:"updatedAt"`
	ParallelGroups    [][]string `json:"parallelGroups"`
	Tasks             []taskView `json:"tasks"`
}

type taskView struct {
	TaskID                string     `json:"taskId"`
	OrderItemID           string     `json:"orderItemId"`
	Seq                   int        `json:"seq"`
	Key                   string     `json:"key"`
	Component             string     `json:"component,omitempty"`
	TaskType              string     `json:"taskType"`
	OwnerSystem           string     `json:"ownerSystem"`
	ExecutionMode         string     `json:"executionMode"`
	Status                string     `json:"status"`
	Optional              bool       `json:"optional"`
	DependsOn             []string   `json:"dependsOn"`
	Attempts              int        `json:"attempts"`
	MaxAttempts           int        `json:"maxAttempts"`
	ManualRetries         int        `json:"manualRetries"`
	Compensatable         bool       `json:"compensatable"`
	LastFailureCode       string     `json:"lastFailureCode,omitempty"`
	LastFailureMessage    string     `json:"lastFailureMessage,omitempty"`
	ExternalCorrelationID string     `json:"externalCorrelationId,omitempty"`
	StartedAt             *time.Time `json:"startedAt,omitempty"`
	CompletedAt           *time.Time `json:"completedAt,omitempty"`
	Version               int64      `json:"version"`
}

func viewPlan(p *domain.Plan) planView {
	v := planView{
		FulfillmentPlanID: p.ID, OrderID: p.OrderID, Status: string(p.Status), CompletionPolicy: string(p.CompletionPolicy),
		CatalogVersion: p.CatalogVersion, Version: p.Version, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
		ParallelGroups: p.ParallelGroups(), Tasks: []taskView{},
	}
	if v.ParallelGroups == nil {
		v.ParallelGroups = [][]string{}
	}
	for _, t := range p.Tasks {
		v.Tasks = append(v.Tasks, viewTask(t))
	}
	return v
}

func viewTask(t *domain.Task) taskView {
	deps := t.DependsOn
	if deps == nil {
		deps = []string{}
	}
	return taskView{
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
