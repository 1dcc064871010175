package callback_test

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"

	"github.com/orderfleet/orderfleet/internal/callback"
	"github.com/orderfleet/orderfleet/internal/domain"
)

func TestFirstDeliveryStoresEvidenceSettlesAttemptAndEmitsEvent(t *testing.T) {
	f := newFixture(t)
	before := f.rows()
	rec := f.post(f.payload())
	if rec.Code != http.StatusAccepted {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	res := decode[callback.Result](t, rec)
	if res.Duplicate || res.ExternalCallAttemptID != f.attemptID || res.Outcome != "COMPLETED" || res.CallbackEvidenceID == "" {
		t.Fatalf("result %+v", res)
	}
	after := f.rows()
	if after.evidence != before.evidence+1 || after.outbox != before.outbox+1 || after.audit != before.audit+1 ||
		after.attemptVersion != before.attemptVersion+1 {
		t.Fatalf("rows before %+v after %+v", before, after)
	}
	if s := f.attemptStatus(); s != "COMPLETED" {
		t.Fatalf("attempt status %s", s)
	}
	ctx := context.Background()
	var sys, callbackID, hash string
	var attemptID *string
	var valid bool
	var payload map[string]any
	must(t, f.pool.QueryRow(ctx, `select external_system, callback_id, external_call_attempt_id::text, signature_valid, payload, payload_hash
		from callback_evidence where id = $1`, res.CallbackEvidenceID).Scan(&sys, &callbackID, &attemptID, &valid, &payload, &hash))
	if sys != "provisioning-adapter" || callbackID != "evt-1" || attemptID == nil || *attemptID != f.attemptID || !valid ||
		payload["externalCorrelationId"] != corrID || len(hash) != len("sha256:")+64 {
		t.Fatalf("evidence %s %s %v %v %v %s", sys, callbackID, attemptID, valid, payload, hash)
	}
	var respHash string
	must(t, f.pool.QueryRow(ctx, `select response_hash from external_call_attempt where id = $1`, f.attemptID).Scan(&respHash))
	if respHash != hash {
		t.Fatalf("attempt response hash %s, evidence hash %s", respHash, hash)
	}
	var env domain.Event
	var key string
	must(t, f.pool.QueryRow(ctx, `select envelope, message_key from outbox_event where event_type = 'ExternalTaskResultReceived'`).Scan(&env, &key))
	want := map[string]any{"orderId": f.orderID, "taskId": f.taskID, "externalSystem": "provisioning-adapter",
		"externalCorrelationId": corrID, "outcome": "COMPLETED", "reasonCode": "", "callbackEvidenceId": res.CallbackEvidenceID}
	for k, v := range want {
		if env.Payload[k] != v {
			t.Errorf("event payload %s = %v, want %v", k, env.Payload[k], v)
		}
	}
	if env.TenantID != tenant || env.AggregateID != f.taskID || env.AggregateType != "FulfillmentTask" || env.EventID == "" ||
		key != tenant+":"+f.orderID || env.CorrelationID != res.CallbackEvidenceID {
		t.Fatalf("envelope %+v key %s", env, key)
	}
	// The evidence names its event, so the result survives the relay deleting the outbox row.
	var resultEventID string
	must(t, f.pool.QueryRow(ctx, `select result_event_id::text from callback_evidence where id = $1`, res.CallbackEvidenceID).Scan(&resultEventID))
	if resultEventID != env.EventID {
		t.Fatalf("evidence names event %s, the outbox event is %s", resultEventID, env.EventID)
	}
	if got := f.counter("fulfillment_external_callback_received_total"); got != 1 {
		t.Fatalf("received_total %v", got)
	}
}

func TestDuplicateDeliveredFiveTimesIsStoredOnce(t *testing.T) {
	f := newFixture(t)
	before := f.rows()
	body := encode(t, f.payload())
	var first callback.Result
	for i := 0; i < 5; i++ {
		rec := f.send("provisioning", tenant, secret, body)
		want := http.StatusOK
		if i == 0 {
			want = http.StatusAccepted
		}
		if rec.Code != want {
			t.Fatalf("delivery %d: status %d, want %d: %s", i+1, rec.Code, want, rec.Body)
		}
		res := decode[callback.Result](t, rec)
		if i == 0 {
			first = res
			continue
		}
		first.Duplicate = true
		if res != first {
			t.Fatalf("delivery %d answered %+v, first was %+v", i+1, res, first)
		}
	}
	assertAddedOnce(t, f, before)
	if got := f.counter("fulfillment_external_callback_duplicate_total"); got != 4 {
		t.Fatalf("duplicate_total %v", got)
	}
}

func TestConcurrentDuplicatesAreStoredOnce(t *testing.T) {
	f := newFixture(t)
	before := f.rows()
	body := encode(t, f.payload())
	codes := make([]int, 5)
	evidence := make([]string, 5)
	var wg sync.WaitGroup
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec := f.send("provisioning", tenant, secret, body)
			codes[i] = rec.Code
			var res callback.Result
			_ = json.Unmarshal(rec.Body.Bytes(), &res)
			evidence[i] = res.CallbackEvidenceID
		}()
	}
	wg.Wait()
	accepted, ok := 0, 0
	for i, c := range codes {
		switch c {
		case http.StatusAccepted:
			accepted++
		case http.StatusOK:
			ok++
		}
		if evidence[i] != evidence[0] || evidence[i] == "" {
			t.Fatalf("evidence ids %v", evidence)
		}
	}
	if accepted != 1 || ok != 4 {
		t.Fatalf("status codes %v: want one 202 and four 200", codes)
	}
	assertAddedOnce(t, f, before)
}

func assertAddedOnce(t *testing.T, f *fixture, before rows) {
	t.Helper()
	after := f.rows()
	if after.evidence != before.evidence+1 || after.outbox != before.outbox+1 || after.audit != before.audit+1 ||
		after.attemptVersion != before.attemptVersion+1 {
		t.Fatalf("rows before %+v after %+v: want one evidence, one event, one audit line, one attempt update", before, after)
	}
}

func TestRejectedOutcomeRecordsReasonOnAttempt(t *testing.T) {
	f := newFixture(t)
	p := f.payload()
	p["outcome"], p["reasonCode"], p["reason"] = "REJECTED", "NO_CAPACITY", "port full"
	if rec := f.post(p); rec.Code != http.StatusAccepted {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var status, code string
	must(t, f.pool.QueryRow(context.Background(), `select status, failure_code from external_call_attempt where id = $1`, f.attemptID).Scan(&status, &code))
	if status != "REJECTED" || code != "NO_CAPACITY" {
		t.Fatalf("attempt %s %s", status, code)
	}
}

func TestCallbackWithoutRecordedCallIsKeptUnlinked(t *testing.T) {
	f := newFixture(t)
	p := f.payload()
	p["taskId"], p["externalCorrelationId"] = f.shipID, "ship-1"
	rec := f.send("shipping", tenant, secret, encode(t, p))
	if rec.Code != http.StatusAccepted {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	res := decode[callback.Result](t, rec)
	if res.ExternalCallAttemptID != "" {
		t.Fatalf("linked to %s", res.ExternalCallAttemptID)
	}
	if r := f.rows(); r.evidence != 1 || r.outbox != 1 || r.attemptVersion != 0 {
		t.Fatalf("rows %+v", r)
	}
}

func TestLateCallbackLeavesSettledAttemptAlone(t *testing.T) {
	f := newFixture(t)
	_, err := f.pool.Exec(context.Background(), `update external_call_attempt set status = 'TIMED_OUT' where id = $1`, f.attemptID)
	must(t, err)
	if rec := f.post(f.payload()); rec.Code != http.StatusAccepted {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if r := f.rows(); f.attemptStatus() != "TIMED_OUT" || r.attemptVersion != 0 || r.evidence != 1 || r.outbox != 1 {
		t.Fatalf("attempt %s rows %+v", f.attemptStatus(), r)
	}
}
