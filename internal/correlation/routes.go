package correlation

import (
	"fmt"
	"strings"

	"github.com/orderfleet/orderfleet/internal/domain"
)

// EventExternalTaskResultReceived is emitted (through the outbox) by the callback API when a partner
// reports the result of an asynchronous request. The domain package does not define it yet; this is
// the name the router listens for. Payload: orderId, taskId, externalSystem, externalCorrelationId,
// outcome.
const EventExternalTaskResultReceived = "ExternalTaskResultReceived"

// Message names the BPMN waits for. They are part of the contract with the process model.
const (
	MessageProvisioningCompleted      = "provisioning-completed"
	MessageShippingConfirmed          = "shipping-confirmed"
	MessageBillingActivated           = "billing-activated"
	MessageAppointmentScheduled       = "appointment-scheduled"
	MessageOrderCancellationRequested = "order-cancellation-requested"
	MessageFulfillmentFalloutRepaired = "fulfillment-fallout-repaired"
	MessageOrderResumed               = "order-resumed"
	MessageOrderSuspended             = "order-suspended"
)

// FEEL expressions for the correlation keys, for BPMN authors: they agree with the Go helpers below
// when the process holds the ids in variables named tenantId, orderId, taskId and falloutCaseId.
const (
	FEELOrderKey   = `=tenantId + ":" + orderId`
	FEELTaskKey    = `=tenantId + ":" + orderId + ":" + taskId`
	FEELFalloutKey = `=tenantId + ":" + orderId + ":" + falloutCaseId`
)

// KeySeparator joins the parts of a correlation key; it may not appear inside a part.
const KeySeparator = ":"

// CorrelationKey joins a tenant and ids into a correlation key, e.g. tenantId:orderId:taskId.
func CorrelationKey(tenantID string, ids ...string) string {
	return strings.Join(append([]string{tenantID}, ids...), KeySeparator)
}

// OrderKey is the key of order-wide messages (cancellation, suspension, resume).
func OrderKey(tenantID, orderID string) string { return CorrelationKey(tenantID, orderID) }

// TaskKey is the key of an external task result.
func TaskKey(tenantID, orderID, taskID string) string {
	return CorrelationKey(tenantID, orderID, taskID)
}

// FalloutKey is the key of a fallout repair.
func FalloutKey(tenantID, orderID, falloutCaseID string) string {
	return CorrelationKey(tenantID, orderID, falloutCaseID)
}

// Variable is one message variable and where its value comes from: "eventId" for the envelope's
// eventId, "payload.<field>" for a payload field.
type Variable struct {
	Name string
	From string
}

// Route says which message an event type becomes. Message is fixed, or chosen by the value of the
// payload field NameBy through Names. KeyFields are the payload fields that follow tenantId in the
// correlation key.
type Route struct {
	EventType string
	Message   string
	NameBy    string
	Names     map[string]string
	KeyFields []string
	Variables []Variable
}

// Routes is the routing contract between the OMS's events and the BPMN's message events.
var Routes = []Route{
	{
		EventType: EventExternalTaskResultReceived,
		NameBy:    "externalSystem",
		// Keyed by the owner system as the catalog and the callback API name it.
		Names: map[string]string{
			"provisioning-adapter": MessageProvisioningCompleted,
			"shipping-adapter":     MessageShippingConfirmed,
			"billing-adapter":      MessageBillingActivated,
			"appointment-adapter":  MessageAppointmentScheduled,
		},
		KeyFields: []string{"orderId", "taskId"},
		Variables: []Variable{{"externalResultEventId", "eventId"}, {"externalOutcome", "payload.outcome"}},
	},
	{
		EventType: domain.EventOrderCancellationRequested,
		Message:   MessageOrderCancellationRequested,
		KeyFields: []string{"orderId"},
	},
	{
		// The domain names the chosen repair "resolution" in the payload; the process sees it as repairAction.
		EventType: domain.EventFulfillmentFalloutRepaired,
		Message:   MessageFulfillmentFalloutRepaired,
		KeyFields: []string{"orderId", "falloutCaseId"},
		Variables: []Variable{{"repairAction", "payload.resolution"}},
	},
	{EventType: domain.EventOrderResumed, Message: MessageOrderResumed, KeyFields: []string{"orderId"}},
	{EventType: domain.EventOrderSuspended, Message: MessageOrderSuspended, KeyFields: []string{"orderId"}},
}

// Message is what the router publishes to the engine for one event.
type Message struct {
	Name           string
	CorrelationKey string
	MessageID      string // the event's eventId, so the engine drops a second publish
	OrderID        string
	Variables      map[string]any
}

// Resolve builds the message for an event, or explains why the event cannot be routed.
func (rt Route) Resolve(e domain.Event) (Message, error) {
	name := rt.Message
	if rt.NameBy != "" {
		v, _ := e.Payload[rt.NameBy].(string)
		if name = rt.Names[v]; name == "" {
			return Message{}, fmt.Errorf("payload.%s %q has no message", rt.NameBy, v)
		}
	}
	parts := make([]string, len(rt.KeyFields))
	for i, f := range rt.KeyFields {
		v, _ := e.Payload[f].(string)
		if v == "" || strings.Contains(v, KeySeparator) {
			return Message{}, fmt.Errorf("payload.%s must be a non-empty text without %q", f, KeySeparator)
		}
		parts[i] = v
	}
	orderID, _ := e.Payload["orderId"].(string)
	if !domain.IsUUID(orderID) {
		return Message{}, fmt.Errorf("payload.orderId %q is not a UUID", orderID)
	}
	if !domain.IsUUID(e.AggregateID) { // workflow_message_correlation keeps it as a uuid
		return Message{}, fmt.Errorf("aggregateId %q is not a UUID", e.AggregateID)
	}
	vars := make(map[string]any, len(rt.Variables))
	for _, v := range rt.Variables {
		val, ok := lookup(e, v.From)
		if !ok {
			return Message{}, fmt.Errorf("%s is missing (variable %s)", v.From, v.Name)
		}
		vars[v.Name] = val
	}
	return Message{
		Name: name, CorrelationKey: CorrelationKey(e.TenantID, parts...), MessageID: e.EventID,
		OrderID: orderID, Variables: vars,
	}, nil
}

func lookup(e domain.Event, from string) (any, bool) {
	if from == "eventId" {
		return e.EventID, e.EventID != ""
	}
	field, ok := strings.CutPrefix(from, "payload.")
	if !ok {
		return nil, false
	}
	v, ok := e.Payload[field]
	return v, ok && v != nil
}

// routeTable indexes routes by event type.
func routeTable(routes []Route) map[string]Route {
	t := make(map[string]Route, len(routes))
	for _, r := range routes {
		t[r.EventType] = r
	}
	return t
}
