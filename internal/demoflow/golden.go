package demoflow

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/orderfleet/orderfleet/internal/omsapi"
)

// NormalizeTimeline turns an order's timeline into stable lines for a golden file. Ids and times
// are dropped. Each aggregate gets a lane named by what it is (order, plan, a task by line and
// key), and lanes are listed by name: work on different tasks runs in parallel, so only the order
// within one lane is a fact of the flow; the interleaving across lanes is not.
func NormalizeTimeline(order omsapi.Order, tasks []omsapi.Task, entries []omsapi.TimelineEntry) []string {
	lineOfItem := map[string]int{}
	for _, it := range order.Items {
		lineOfItem[it.OrderItemID] = it.LineNo
	}
	taskLane := map[string]string{}
	for _, t := range tasks {
		taskLane[t.TaskID] = fmt.Sprintf("task L%d %s %s", lineOfItem[t.OrderItemID], t.Key, t.TaskType)
	}
	ordinal := map[string]string{} // other aggregates: type and order of first appearance
	seen := map[string]int{}
	laneOf := func(e omsapi.TimelineEntry) string {
		switch {
		case e.AggregateType == "Order":
			return "order"
		case e.AggregateType == "FulfillmentPlan":
			return "plan"
		case taskLane[e.AggregateID] != "":
			return taskLane[e.AggregateID]
		}
		key := e.AggregateType + "/" + e.AggregateID
		if _, ok := ordinal[key]; !ok {
			seen[e.AggregateType]++
			ordinal[key] = fmt.Sprintf("%s #%d", strings.ToLower(e.AggregateType[:1])+e.AggregateType[1:], seen[e.AggregateType])
		}
		return ordinal[key]
	}
	lanes := map[string][]string{}
	for _, e := range entries {
		lane := laneOf(e)
		if partnerEntry(e) {
			// A partner may answer before the worker has recorded the submission; the answer's
			// entries race the task's own, so they get a lane of their own.
			lane += " / partner callback"
		}
		lanes[lane] = append(lanes[lane], describeEntry(e, !partnerEntry(e)))
	}
	names := make([]string, 0, len(lanes))
	for n := range lanes {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []string
	for _, n := range names {
		out = append(out, "["+n+"]")
		for _, l := range lanes[n] {
			out = append(out, "  "+l)
		}
	}
	return out
}

func partnerEntry(e omsapi.TimelineEntry) bool {
	return e.Source == "callback" || e.Type == "EXTERNAL_CALLBACK_RECEIVED" || e.Type == "ExternalTaskResultReceived"
}

// describeEntry keeps the parts of an entry that say what happened, not when or to which id.
// A partner's entry records the task state it met, which depends on the same race; withStates
// false leaves it out.
func describeEntry(e omsapi.TimelineEntry, withStates bool) string {
	var d map[string]any
	_ = json.Unmarshal(e.Details, &d)
	str := func(k string) string {
		if v, ok := d[k]; ok && v != nil {
			return fmt.Sprint(v)
		}
		return ""
	}
	parts := []string{e.Source, e.Type}
	if b, a := str("stateBefore"), str("stateAfter"); withStates && (b != "" || a != "") {
		parts = append(parts, b+"->"+a)
	}
	for _, k := range []string{"reasonCode", "attemptNo", "purpose", "status", "failureCode", "externalSystem"} {
		if v := str(k); v != "" {
			parts = append(parts, k+"="+v)
		}
	}
	return strings.Join(parts, " ")
}
