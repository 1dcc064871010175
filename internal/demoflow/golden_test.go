package demoflow

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/orderfleet/orderfleet/internal/omsapi"
)

func TestNormalizeTimelineGroupsByLaneAndDropsIds(t *testing.T) {
	order := omsapi.Order{Items: []omsapi.Item{{OrderItemID: "item-1", LineNo: 1}}}
	tasks := []omsapi.Task{
		{TaskID: "t-a", OrderItemID: "item-1", Key: "b.second", TaskType: "ACTIVATE_BILLING"},
		{TaskID: "t-b", OrderItemID: "item-1", Key: "a.first", TaskType: "RESERVE_RESOURCE"},
	}
	at := time.Unix(0, 0)
	entry := func(src, typ, aggType, aggID, details string) omsapi.TimelineEntry {
		return omsapi.TimelineEntry{At: at, Source: src, Type: typ, AggregateType: aggType, AggregateID: aggID, Details: json.RawMessage(details)}
	}
	got := NormalizeTimeline(order, tasks, []omsapi.TimelineEntry{
		entry("audit", "TASK_TRANSITION", "FulfillmentTask", "t-a", `{"stateBefore":"READY","stateAfter":"IN_PROGRESS"}`),
		entry("audit", "ORDER_TRANSITION", "Order", "o-1", `{"stateBefore":"FULFILLING","stateAfter":"COMPLETED","actorId":"x"}`),
		entry("taskAttempt", "ATTEMPT_FAILED", "FulfillmentTask", "t-b", `{"attemptNo":2,"failureCode":"NO_CAPACITY","attemptId":"u-1"}`),
		entry("audit", "FALLOUT_OPENED", "FalloutCase", "f-9", `{"stateAfter":"OPEN"}`),
		entry("audit", "TASK_TRANSITION", "FulfillmentTask", "t-a", `{"stateBefore":"IN_PROGRESS","stateAfter":"COMPLETED"}`),
	})
	want := []string{
		"[falloutCase #1]", "  audit FALLOUT_OPENED ->OPEN",
		"[order]", "  audit ORDER_TRANSITION FULFILLING->COMPLETED",
		"[task L1 a.first RESERVE_RESOURCE]", "  taskAttempt ATTEMPT_FAILED attemptNo=2 failureCode=NO_CAPACITY",
		"[task L1 b.second ACTIVATE_BILLING]", "  audit TASK_TRANSITION READY->IN_PROGRESS", "  audit TASK_TRANSITION IN_PROGRESS->COMPLETED",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("normalized:\n%q\nwant:\n%q", got, want)
	}
}
