package fulfillment

import (
	"github.com/orderfleet/orderfleet/internal/adapter"
	"github.com/orderfleet/orderfleet/internal/domain"
)

// Message names a task's result arrives as. They must match the correlation router's routes
// (internal/correlation) and the BPMN's message catch events.
const (
	MessageProvisioningCompleted = "provisioning-completed"
	MessageShippingConfirmed     = "shipping-confirmed"
	MessageBillingActivated      = "billing-activated"
	MessageAppointmentScheduled  = "appointment-scheduled"
	MessageExternalResult        = "external-result"
)

// NoTimeout is the timer duration of a task without a timeout policy: ten years, so the BPMN's
// timer boundary stays valid FEEL without ever firing in practice.
const NoTimeout = "P3650D"

var resultMessages = map[string]string{
	adapter.SystemProvisioning: MessageProvisioningCompleted,
	adapter.SystemShipping:     MessageShippingConfirmed,
	adapter.SystemBilling:      MessageBillingActivated,
	adapter.SystemAppointment:  MessageAppointmentScheduled,
}

// ResultMessage is the message name a task's asynchronous result arrives as.
func ResultMessage(ownerSystem string) string {
	if m, ok := resultMessages[ownerSystem]; ok {
		return m
	}
	return MessageExternalResult
}

// readyTasks describes each ready task for the BPMN's routing: how it runs, how long its wait
// may last, and which message ends the wait. Small maps, because they become process variables.
func readyTasks(p *domain.Plan, ids []string) []map[string]any {
	out := make([]map[string]any, 0, len(ids))
	for _, id := range ids {
		t, err := p.Task(id)
		if err != nil {
			continue // ids come from the same plan
		}
		timeout := t.Timeout.TimeoutISO
		if timeout == "" || t.Timeout.Timeout <= 0 {
			timeout = NoTimeout
		}
		out = append(out, map[string]any{
			"taskId": t.ID, "mode": string(t.Mode), "timeout": timeout, "resultMessage": ResultMessage(t.OwnerSystem),
		})
	}
	return out
}

// firstFailedRequiredTask is the id of the first required task that FAILED or TIMED_OUT, "" if none.
func firstFailedRequiredTask(p *domain.Plan) string {
	for _, t := range p.Tasks {
		if !t.Optional && (t.Status == domain.TaskFailed || t.Status == domain.TaskTimedOut) {
			return t.ID
		}
	}
	return ""
}
