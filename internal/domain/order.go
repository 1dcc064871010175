package domain

import (
	"slices"
	"time"
)

// Order is the order aggregate. Its status changes only through Transition
// (or the intent methods built on it), which checks the state machine and
// records the audit entry and event for the repository to persist.
type Order struct {
	ID                string
	TenantID          string
	CustomerID        string
	Status            OrderStatus
	CompletionPolicy  CompletionPolicy
	FulfillmentPlanID string
	SuspensionReason  SuspensionReason
	CancellationCode  string
	Items             []OrderItem
	Version           int64 // optimistic lock; the repository bumps it
	CreatedAt         time.Time
	UpdatedAt         time.Time

	Changes
}

// NewOrderInput is the data needed to capture an order.
type NewOrderInput struct {
	TenantID         string
	CustomerID       string
	CompletionPolicy CompletionPolicy
	Items            []ItemInput
}

// NewOrder captures an order in state CAPTURED and assigns ids to it and its
// lines. Line numbers must be unique; a line may name another as its parent.
func NewOrder(in NewOrderInput, ids IDGenerator, cause Cause) (*Order, error) {
	if err := cause.validate(); err != nil {
		return nil, err
	}
	if err := requireText(map[string]string{"tenantId": in.TenantID, "customerId": in.CustomerID}); err != nil {
		return nil, err
	}
	if len(in.TenantID) > 64 {
		return nil, Errorf(EINVALID, "tenantId longer than 64 characters")
	}
	if len(in.Items) == 0 {
		return nil, Errorf(EINVALID, "an order needs at least one item")
	}
	policy := in.CompletionPolicy
	if policy == "" {
		policy = CompletionRequiresBillingActive
	}
	if !policy.Valid() {
		return nil, Errorf(EINVALID, "unknown completion policy %q", policy)
	}
	at := cause.at()
	o := &Order{
		ID: ids.NewID(), TenantID: in.TenantID, CustomerID: in.CustomerID,
		Status: OrderCaptured, CompletionPolicy: policy, CreatedAt: at, UpdatedAt: at,
	}
	byLine := map[int]string{}
	for _, li := range in.Items {
		if _, dup := byLine[li.LineNo]; dup {
			return nil, Errorf(EINVALID, "line number %d used twice", li.LineNo)
		}
		byLine[li.LineNo] = ids.NewID()
	}
	for _, li := range in.Items {
		it := OrderItem{
			ID: byLine[li.LineNo], LineNo: li.LineNo, ProductCode: li.ProductCode, Action: li.Action,
			Quantity: li.Quantity, TargetAssetID: li.TargetAssetID, ExpectedAssetVersion: li.ExpectedAssetVersion,
			ParentAssetID: li.ParentAssetID, Location: li.Location, Attributes: copyAttributes(li.Attributes),
		}
		if it.Quantity == 0 {
			it.Quantity = 1
		}
		if li.ParentLineNo != 0 {
			pid, ok := byLine[li.ParentLineNo]
			if !ok || li.ParentLineNo == li.LineNo {
				return nil, Errorf(EINVALID, "line %d: parent line %d is not another line of this order", li.LineNo, li.ParentLineNo)
			}
			it.ParentItemID = pid
		}
		if err := it.validateShape(); err != nil {
			return nil, err
		}
		o.Items = append(o.Items, it)
	}
	slices.SortFunc(o.Items, func(a, b OrderItem) int { return a.LineNo - b.LineNo })
	o.record(newAudit(o.TenantID, o.ID, AggregateOrder, o.ID, AuditOrderCaptured, "", string(OrderCaptured), cause))
	return o, nil
}

// Item returns the line with the given id.
func (o *Order) Item(id string) (OrderItem, error) {
	for _, it := range o.Items {
		if it.ID == id {
			return it, nil
		}
	}
	return OrderItem{}, Errorf(ENOTFOUND, "order %s has no item %s", o.ID, id)
}

// Transition moves the order to a new state if the state machine allows it,
// recording who/why and the matching event. The intent methods (Suspend,
// Finalize, RequestCancellation, ...) add business preconditions on top.
func (o *Order) Transition(to OrderStatus, cause Cause) error {
	if err := cause.validate(); err != nil {
		return err
	}
	from := o.Status
	if !CanTransitionOrder(from, to) {
		return transitionError("order", string(from), string(to))
	}
	o.Status = to
	o.UpdatedAt = cause.at()
	audit := newAudit(o.TenantID, o.ID, AggregateOrder, o.ID, AuditOrderTransition, string(from), string(to), cause)
	var events []Event
	if et := orderEventOnMove(from, to); et != "" {
		events = append(events, newEvent(et, o.TenantID, AggregateOrder, o.ID, cause, o.eventPayload(from, to, cause)))
	}
	o.record(audit, events...)
	return nil
}

func (o *Order) eventPayload(from, to OrderStatus, cause Cause) map[string]any {
	p := map[string]any{
		"orderId":      o.ID,
		"statusFrom":   string(from),
		"status":       string(to),
		"orderVersion": o.Version,
	}
	if o.FulfillmentPlanID != "" {
		p["fulfillmentPlanId"] = o.FulfillmentPlanID
	}
	if to == OrderFulfillmentReady {
		p["processId"] = FulfillmentProcessID
		p["businessKey"] = BusinessKey(o.TenantID, o.ID, o.FulfillmentPlanID)
	}
	if cause.ReasonCode != "" {
		p["reasonCode"] = cause.ReasonCode
	}
	return p
}

// AllowsTaskExecution reports whether workers may start fulfilment tasks:
// only a FULFILLING order runs work; a suspended one waits (seed 000 §19).
func (o *Order) AllowsTaskExecution() bool { return o.Status == OrderFulfilling }
