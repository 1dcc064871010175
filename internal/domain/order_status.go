package domain

// OrderStatus is the canonical order state held by the OMS (seed 001 §3,
// seed 000 §18-19). The process engine never owns it.
type OrderStatus string

const (
	OrderCaptured              OrderStatus = "CAPTURED"
	OrderValidated             OrderStatus = "VALIDATED"
	OrderDecomposed            OrderStatus = "DECOMPOSED"
	OrderFulfillmentReady      OrderStatus = "FULFILLMENT_READY"
	OrderFulfilling            OrderStatus = "FULFILLING"
	OrderSuspended             OrderStatus = "SUSPENDED"
	OrderCancellationRequested OrderStatus = "CANCELLATION_REQUESTED"
	OrderCompensating          OrderStatus = "COMPENSATING"
	OrderCompleted             OrderStatus = "COMPLETED"
	OrderPartiallyCompleted    OrderStatus = "PARTIALLY_COMPLETED"
	OrderCancelled             OrderStatus = "CANCELLED"
	OrderFailedWithFallout     OrderStatus = "FAILED_WITH_FALLOUT"
	OrderCompensated           OrderStatus = "COMPENSATED"
	OrderManualClosed          OrderStatus = "MANUAL_CLOSED"
)

// OrderStatuses lists every order state, in lifecycle order.
var OrderStatuses = []OrderStatus{
	OrderCaptured, OrderValidated, OrderDecomposed, OrderFulfillmentReady,
	OrderFulfilling, OrderSuspended, OrderCancellationRequested, OrderCompensating,
	OrderCompleted, OrderPartiallyCompleted, OrderCancelled, OrderFailedWithFallout,
	OrderCompensated, OrderManualClosed,
}

// orderTransitions is the order state machine.
//
// FAILED_WITH_FALLOUT ends the workflow but stays open to operators: seed 000
// §18.1 allows cancelling a failed order, and the repair actions COMPENSATE
// and MANUAL_CLOSE must be able to act on it. The other end states are closed.
var orderTransitions = transitionTable[OrderStatus]{
	OrderCaptured:         {OrderValidated, OrderCancelled, OrderFailedWithFallout},
	OrderValidated:        {OrderDecomposed, OrderCancelled, OrderFailedWithFallout},
	OrderDecomposed:       {OrderFulfillmentReady, OrderCancelled, OrderFailedWithFallout},
	OrderFulfillmentReady: {OrderFulfilling, OrderCancellationRequested, OrderFailedWithFallout},
	OrderFulfilling: {
		OrderSuspended, OrderCancellationRequested, OrderCompensating,
		OrderCompleted, OrderPartiallyCompleted, OrderFailedWithFallout, OrderManualClosed,
	},
	OrderSuspended:             {OrderFulfilling, OrderCancellationRequested, OrderCancelled, OrderFailedWithFallout},
	OrderCancellationRequested: {OrderCompensating, OrderCancelled, OrderFailedWithFallout},
	OrderCompensating:          {OrderCompensated, OrderCancelled, OrderFailedWithFallout, OrderManualClosed},
	OrderFailedWithFallout:     {OrderCancellationRequested, OrderCompensating, OrderCancelled, OrderManualClosed},
	OrderCompleted:             nil,
	OrderPartiallyCompleted:    nil,
	OrderCancelled:             nil,
	OrderCompensated:           nil,
	OrderManualClosed:          nil,
}

// CanTransitionOrder reports whether the order state machine allows from→to.
func CanTransitionOrder(from, to OrderStatus) bool { return orderTransitions.allows(from, to) }

// NextOrderStatuses lists the states reachable in one step from s.
func NextOrderStatuses(s OrderStatus) []OrderStatus {
	return append([]OrderStatus(nil), orderTransitions[s]...)
}

// IsEndState reports whether s is one of the six process end conditions of
// seed 001 §3.
func (s OrderStatus) IsEndState() bool {
	switch s {
	case OrderCompleted, OrderPartiallyCompleted, OrderCancelled,
		OrderFailedWithFallout, OrderCompensated, OrderManualClosed:
		return true
	}
	return false
}

// IsClosed reports whether no further transition is possible.
func (s OrderStatus) IsClosed() bool { return orderTransitions.terminal(s) }

// Valid reports whether s is a known state.
func (s OrderStatus) Valid() bool {
	_, ok := orderTransitions[s]
	return ok
}

// orderEventOnEnter names the integration event published when an order
// enters a state, so every caller of Transition emits the same facts.
var orderEventOnEnter = map[OrderStatus]string{
	OrderFulfillmentReady:      EventOrderFulfillmentRequested,
	OrderCancellationRequested: EventOrderCancellationRequested,
	OrderCancelled:             EventOrderCancelled,
	OrderSuspended:             EventOrderSuspended,
	OrderCompleted:             EventOrderFulfillmentCompleted,
	OrderPartiallyCompleted:    EventOrderFulfillmentCompleted,
	OrderFailedWithFallout:     EventOrderFulfillmentFailed,
	OrderManualClosed:          EventOrderClosedManually,
}

// orderEventOnMove covers the two states whose event depends on where the
// order came from: entering FULFILLING is a start the first time and a resume
// after a suspension.
func orderEventOnMove(from, to OrderStatus) string {
	if to == OrderFulfilling {
		if from == OrderSuspended {
			return EventOrderResumed
		}
		return EventFulfillmentPlanExecutionStarted
	}
	return orderEventOnEnter[to]
}
