// Package adapter is the port to the external systems that fulfillment tasks call (inventory,
// serviceability, provisioning, shipping, appointment, billing, notification). Every call carries
// the idempotency key tenantId:orderId:taskId:attemptPurpose (seed 001 §9): the key is the identity
// of the side effect, so a worker may repeat a call after a crash without doubling the effect.
package adapter

import (
	"context"
	"encoding/json"
	"strings"
)

// Caller calls one operation of one external system. A business refusal is a Response with
// OutcomeRejected, not an error; errors are *CallError (transient or permanent).
type Caller interface {
	Call(ctx context.Context, req Request) (Response, error)
}

// Request is one call of a task attempt (or of a compensation step).
type Request struct {
	ExternalSystem string // the task's owner system, e.g. "provisioning-adapter"
	Operation      string // the task type or compensation task type, e.g. "CREATE_PROVISIONING_REQUEST"
	IdempotencyKey string // tenantId:orderId:taskId:attemptPurpose
	TenantID       string
	OrderID        string
	TaskID         string
	Input          map[string]any // the task's input snapshot
	// CallbackURL is where an asynchronous answer must be posted; empty lets the caller derive it
	// from its configured callback base URL.
	CallbackURL   string
	CorrelationID string // trace/correlation id passed through for logs
}

// Outcome is how the external system answered.
type Outcome string

const (
	// OutcomeCompleted means the effect happened.
	OutcomeCompleted Outcome = "COMPLETED"
	// OutcomeAccepted means the request was taken; the result arrives later by a signed callback.
	OutcomeAccepted Outcome = "ACCEPTED"
	// OutcomeRejected is a business refusal: retrying the same request cannot change it.
	OutcomeRejected Outcome = "REJECTED"
)

// Response is the evidence of a call.
type Response struct {
	Outcome               Outcome
	ExternalCorrelationID string
	ReasonCode            string // set on a rejection
	Reason                string
	ResponseHash          string          // "sha256:<hex>" of the canonical body
	Body                  json.RawMessage // the body as received, for evidence
	// Replayed is true when the system said it had seen the key before and returned its first answer.
	Replayed bool
}

// External system names, as the catalog's ownerSystem spells them.
const (
	SystemInventory      = "inventory-adapter"
	SystemServiceability = "serviceability-adapter"
	SystemProvisioning   = "provisioning-adapter"
	SystemShipping       = "shipping-adapter"
	SystemAppointment    = "appointment-adapter"
	SystemBilling        = "billing-adapter"
	SystemNotification   = "notification-adapter"
	// SystemDigitalServices turns digital add-ons on and off (catalog: SECURITY_SUITE).
	SystemDigitalServices = "digital-services-adapter"
)

// Systems lists every external system an adapter call can reach.
var Systems = []string{
	SystemInventory, SystemServiceability, SystemProvisioning, SystemShipping,
	SystemAppointment, SystemBilling, SystemNotification, SystemDigitalServices,
}

// callbackRoutes are the systems that answer asynchronously, with the route segment of their
// callback API (POST /api/v1/integrations/{route}/callbacks, seed 001 §22).
var callbackRoutes = map[string]string{
	SystemProvisioning: "provisioning",
	SystemShipping:     "shipping",
	SystemBilling:      "billing",
	SystemAppointment:  "appointment",
}

// CallbackRoute returns the callback route segment of a system, false if it has no callbacks.
func CallbackRoute(system string) (string, bool) {
	r, ok := callbackRoutes[system]
	return r, ok
}

// SystemOfCallbackRoute is the inverse of CallbackRoute.
func SystemOfCallbackRoute(route string) (string, bool) {
	for sys, r := range callbackRoutes {
		if r == route {
			return sys, true
		}
	}
	return "", false
}

// CallbackPath is the OMS path a system posts its callbacks to.
func CallbackPath(route string) string { return "/api/v1/integrations/" + route + "/callbacks" }

// CallbackURL joins the OMS base URL and the callback path of a system; "" if the system has none.
func CallbackURL(base, system string) string {
	route, ok := CallbackRoute(system)
	if !ok || base == "" {
		return ""
	}
	return strings.TrimRight(base, "/") + CallbackPath(route)
}
