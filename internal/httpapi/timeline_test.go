package httpapi_test

import (
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/orderfleet/orderfleet/internal/domain"
)

func TestTimelineMergesTheJournalsInTimeOrder(t *testing.T) {
	f := newFixture(t)
	orderID := f.capture("cust-1")["orderId"].(string) // at t0
	taskID := f.readyTask(orderID)
	f.changePlan(orderID, func(o *domain.Order, p *domain.Plan) error {
		if err := o.StartFulfillment(workerCause(t0.Add(time.Minute))); err != nil {
			return err
		}
		_, err := p.StartTask(taskID, domain.AttemptRequest{}, workerCause(t0.Add(time.Minute)))
		return err
	})
	f.changePlan(orderID, func(_ *domain.Order, p *domain.Plan) error {
		_, err := p.FailTask(taskID, domain.TaskFailure{Code: "PARTNER_REJECTED"}, workerCause(t0.Add(2*time.Minute)))
		return err
	})
	_, err := f.pool.Exec(t.Context(), `
		insert into callback_evidence (id, tenant_id, external_system, callback_id, order_id, fulfillment_task_id, signature_valid,
		    payload, payload_hash, received_at)
		values ($1, $2, 'provisioning', 'cb-1', $3, $4, true, '{}', 'hash-1', $5)`,
		domain.NewUUID(), tenantA, orderID, taskID, t0.Add(3*time.Minute))
	must(t, err)
	f.tick(4 * time.Minute)
	retry := map[string]any{"reasonCode": "TRY_AGAIN", "reason": "partner recovered", "operatorId": "ops-1"}
	expect(t, f.req(http.MethodPost, "/api/v1/orders/"+orderID+"/fulfillment-tasks/"+taskID+"/retry", tokenA, retry), http.StatusOK)

	all := f.timeline(orderID, 200)
	rank := map[string]int{"audit": 0, "taskAttempt": 1, "callback": 2, "event": 3}
	for i := 1; i < len(all); i++ {
		prev, cur := all[i-1], all[i]
		if cur.at.Before(prev.at) || (cur.at.Equal(prev.at) && rank[cur.source] < rank[prev.source]) {
			t.Fatalf("entry %d (%s %s %s) sorts before entry %d (%s %s %s)", i, cur.at, cur.source, cur.kind, i-1, prev.at, prev.source, prev.kind)
		}
	}
	want := []string{"audit/ORDER_CAPTURED", "event/OrderFulfillmentRequested", "audit/TASK_TRANSITION", "taskAttempt/ATTEMPT_STARTED",
		"event/FulfillmentTaskStarted", "taskAttempt/ATTEMPT_FAILED", "event/FulfillmentTaskFailed", "callback/CALLBACK_RECEIVED",
		"audit/MANUAL_DECISION", "event/ManualDecisionRecorded"}
	var got []string
	for _, e := range all {
		got = append(got, e.source+"/"+e.kind)
	}
	if !isSubsequence(want, got) {
		t.Fatalf("timeline %v\nmisses the order %v", got, want)
	}
	for _, limit := range []int{1, 4} {
		var paged []timelineEntry
		cursor := ""
		for {
			page, next := f.timelinePage(orderID, limit, cursor)
			paged = append(paged, page...)
			if cursor = next; cursor == "" {
				break
			}
		}
		if !slices.Equal(paged, all) {
			t.Fatalf("limit %d pages to %d entries, one page has %d", limit, len(paged), len(all))
		}
	}
	expectCode(t, f.req(http.MethodGet, "/api/v1/orders/"+orderID+"/timeline", tokenB, nil), http.StatusNotFound, "not_found")
}

type timelineEntry struct {
	at           time.Time
	source, kind string
	aggregateID  string
}

func (f *fixture) timeline(orderID string, limit int) []timelineEntry {
	f.t.Helper()
	entries, next := f.timelinePage(orderID, limit, "")
	if next != "" {
		f.t.Fatalf("timeline longer than %d entries", limit)
	}
	return entries
}

func (f *fixture) timelinePage(orderID string, limit int, cursor string) ([]timelineEntry, string) {
	f.t.Helper()
	m := expect(f.t, f.req(http.MethodGet, "/api/v1/orders/"+orderID+"/timeline?limit="+strconv.Itoa(limit)+"&cursor="+cursor, tokenA, nil), http.StatusOK)
	var out []timelineEntry
	for _, it := range m["items"].([]any) {
		e := it.(map[string]any)
		at, err := time.Parse(time.RFC3339Nano, e["at"].(string))
		must(f.t, err)
		out = append(out, timelineEntry{at: at, source: e["source"].(string), kind: e["type"].(string), aggregateID: e["aggregateId"].(string)})
	}
	next, _ := m["nextCursor"].(string)
	return out, next
}

func isSubsequence(want, got []string) bool {
	i := 0
	for _, g := range got {
		if i < len(want) && g == want[i] {
			i++
		}
	}
	return i == len(want)
}

// An event's publishedAt comes from the relay's record of the batch that carried it: absent while
// the event waits above the cursor, the batch's time once a publication covers it.
func TestTimelineShowsWhenTheRelayPublishedAnEvent(t *testing.T) {
	f := newFixture(t)
	orderID := f.capture("cust-1")["orderId"].(string)
	requested := func() map[string]any {
		m := expect(t, f.req(http.MethodGet, "/api/v1/orders/"+orderID+"/timeline", tokenA, nil), http.StatusOK)
		for _, it := range m["items"].([]any) {
			e := it.(map[string]any)
			if e["source"] == "event" && e["type"] == domain.EventOrderFulfillmentRequested {
				return e["details"].(map[string]any)
			}
		}
		t.Fatal("no OrderFulfillmentRequested event in the timeline")
		return nil
	}
	if at, ok := requested()["publishedAt"]; ok {
		t.Fatalf("publishedAt %v before any publication", at)
	}
	publishedAt := time.Date(2026, 7, 2, 5, 0, 0, 0, time.UTC)
	_, err := f.pool.Exec(t.Context(), `insert into outbox_publication (last_position, first_position, event_count, published_at)
		select max(position), 1, count(*), $1 from outbox_event`, publishedAt)
	must(t, err)
	got, err := time.Parse(time.RFC3339Nano, requested()["publishedAt"].(string))
	must(t, err)
	if !got.Equal(publishedAt) {
		t.Fatalf("publishedAt %s, want the batch's %s", got, publishedAt)
	}
}
