package correlation

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/orderfleet/orderfleet/internal/domain"
)

const (
	orderID   = "11111111-1111-4111-8111-111111111111"
	taskID    = "22222222-2222-4222-8222-222222222222"
	falloutID = "33333333-3333-4333-8333-333333333333"
)

func envelope(eventType, aggregateID string, payload map[string]any) domain.Event {
	return domain.Event{
		EventID: "44444444-4444-4444-8444-444444444444", EventType: eventType, EventVersion: 1,
		OccurredAt: time.Date(2026, 7, 2, 5, 0, 0, 0, time.UTC), TenantID: "tenant-a", CorrelationID: "corr-1",
		AggregateType: "Any", AggregateID: aggregateID, Payload: payload,
	}
}

func TestRoutesResolveTheContract(t *testing.T) {
	table := routeTable(Routes)
	cases := []struct {
		event domain.Event
		want  Message
	}{
		{envelope(EventExternalTaskResultReceived, taskID, map[string]any{"orderId": orderID, "taskId": taskID,
			"externalSystem": "provisioning-adapter", "externalCorrelationId": "prov-9", "outcome": "SUCCEEDED"}),
			Message{Name: MessageProvisioningCompleted, CorrelationKey: "tenant-a:" + orderID + ":" + taskID,
				Variables: map[string]any{"externalResultEventId": "44444444-4444-4444-8444-444444444444", "externalOutcome": "SUCCEEDED"}}},
		{envelope(EventExternalTaskResultReceived, taskID, map[string]any{"orderId": orderID, "taskId": taskID,
			"externalSystem": "shipping-adapter", "outcome": "FAILED"}),
			Message{Name: MessageShippingConfirmed, CorrelationKey: TaskKey("tenant-a", orderID, taskID),
				Variables: map[string]any{"externalResultEventId": "44444444-4444-4444-8444-444444444444", "externalOutcome": "FAILED"}}},
		{envelope(domain.EventOrderCancellationRequested, orderID, map[string]any{"orderId": orderID, "status": "CANCELLATION_REQUESTED"}),
			Message{Name: MessageOrderCancellationRequested, CorrelationKey: "tenant-a:" + orderID, Variables: map[string]any{}}},
		{envelope(domain.EventFulfillmentFalloutRepaired, falloutID, map[string]any{"orderId": orderID, "falloutCaseId": falloutID, "resolution": "RETRY_TASK"}),
			Message{Name: MessageFulfillmentFalloutRepaired, CorrelationKey: FalloutKey("tenant-a", orderID, falloutID),
				Variables: map[string]any{"repairAction": "RETRY_TASK"}}},
		{envelope(domain.EventOrderSuspended, orderID, map[string]any{"orderId": orderID}),
			Message{Name: MessageOrderSuspended, CorrelationKey: OrderKey("tenant-a", orderID), Variables: map[string]any{}}},
		{envelope(domain.EventOrderResumed, orderID, map[string]any{"orderId": orderID}),
			Message{Name: MessageOrderResumed, CorrelationKey: OrderKey("tenant-a", orderID), Variables: map[string]any{}}},
	}
	for _, c := range cases {
		got, err := table[c.event.EventType].Resolve(c.event)
		if err != nil {
			t.Fatalf("%s: %v", c.event.EventType, err)
		}
		c.want.MessageID, c.want.OrderID = c.event.EventID, orderID
		if !reflect.DeepEqual(got, c.want) {
			t.Fatalf("%s:\n got %+v\nwant %+v", c.event.EventType, got, c.want)
		}
	}
}

func TestRoutesRejectUnroutablePayloads(t *testing.T) {
	table := routeTable(Routes)
	result := func(p map[string]any) domain.Event { return envelope(EventExternalTaskResultReceived, taskID, p) }
	cases := map[string]domain.Event{
		"unknown system":      result(map[string]any{"orderId": orderID, "taskId": taskID, "externalSystem": "fax", "outcome": "OK"}),
		"missing task":        result(map[string]any{"orderId": orderID, "externalSystem": "billing", "outcome": "OK"}),
		"separator in id":     result(map[string]any{"orderId": orderID, "taskId": "a:b", "externalSystem": "billing", "outcome": "OK"}),
		"order not a uuid":    result(map[string]any{"orderId": "ord-1", "taskId": taskID, "externalSystem": "billing", "outcome": "OK"}),
		"missing outcome":     result(map[string]any{"orderId": orderID, "taskId": taskID, "externalSystem": "billing"}),
		"aggregate not uuid":  envelope(domain.EventOrderResumed, "ord-1", map[string]any{"orderId": orderID}),
		"repair without case": envelope(domain.EventFulfillmentFalloutRepaired, falloutID, map[string]any{"orderId": orderID, "resolution": "RETRY_TASK"}),
	}
	for name, e := range cases {
		if _, err := table[e.EventType].Resolve(e); err == nil {
			t.Errorf("%s: resolved, want an error", name)
		}
	}
}

func TestCorrelationKeyMatchesFEEL(t *testing.T) {
	// The FEEL expressions concatenate the same variables with the same separator, in the same order.
	for feel, parts := range map[string][]string{
		FEELOrderKey: {"tenantId", "orderId"}, FEELTaskKey: {"tenantId", "orderId", "taskId"},
		FEELFalloutKey: {"tenantId", "orderId", "falloutCaseId"},
	} {
		want := "=" + strings.Join(parts, ` + ":" + `)
		if feel != want {
			t.Errorf("FEEL %q, want %q", feel, want)
		}
	}
	if got := TaskKey("t", "o", "k"); got != "t:o:k" {
		t.Fatalf("TaskKey = %q", got)
	}
}

func TestParseEnvelopeNamesThePoison(t *testing.T) {
	good, _ := json.Marshal(envelope(domain.EventOrderResumed, orderID, map[string]any{"orderId": orderID}))
	if _, p := parseEnvelope(good); p != nil {
		t.Fatalf("valid envelope rejected: %v", p)
	}
	mutate := func(f func(map[string]any)) []byte {
		var m map[string]any
		_ = json.Unmarshal(good, &m)
		f(m)
		b, _ := json.Marshal(m)
		return b
	}
	cases := map[string]struct {
		value  []byte
		code   string
		tenant string
	}{
		"not json":       {[]byte("{nope"), ReasonInvalidJSON, ""},
		"two documents":  {append(append([]byte{}, good...), good...), ReasonInvalidJSON, ""},
		"no event id":    {mutate(func(m map[string]any) { delete(m, "eventId") }), ReasonMissingField, "tenant-a"},
		"no payload":     {mutate(func(m map[string]any) { delete(m, "payload") }), ReasonMissingField, "tenant-a"},
		"no occurredAt":  {mutate(func(m map[string]any) { delete(m, "occurredAt") }), ReasonMissingField, "tenant-a"},
		"tenant shape":   {mutate(func(m map[string]any) { m["tenantId"] = "a:b" }), ReasonInvalidTenant, ""},
		"tenant missing": {mutate(func(m map[string]any) { delete(m, "tenantId") }), ReasonInvalidTenant, ""},
	}
	for name, c := range cases {
		e, p := parseEnvelope(c.value)
		if p == nil || p.code != c.code || e.TenantID != c.tenant {
			t.Errorf("%s: got %v (tenant %q), want %s (tenant %q)", name, p, e.TenantID, c.code, c.tenant)
		}
	}
}
