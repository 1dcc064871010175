package callback_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/orderfleet/orderfleet/internal/callback"
	"github.com/orderfleet/orderfleet/internal/domain"
)

// Every refusal answers problem+json with a stable code and writes nothing.
func TestRefusalsWriteNothing(t *testing.T) {
	f := newFixture(t)
	valid := func(edit func(map[string]any)) []byte {
		p := f.payload()
		edit(p)
		return encode(t, p)
	}
	cases := []struct {
		name   string
		status int
		code   string
		do     func() *httptest.ResponseRecorder
	}{
		{"bad signature", 401, callback.CodeInvalidSignature, func() *httptest.ResponseRecorder {
			return f.send("provisioning", tenant, "some-other-secret-0123456789", encode(t, f.payload()))
		}},
		{"body changed after signing", 401, callback.CodeInvalidSignature, func() *httptest.ResponseRecorder {
			body := encode(t, f.payload())
			req := newRequest("provisioning", body)
			callback.SignRequest(req, tenant, secret, body, f.clock)
			req.Body = httpBody(bytes.Replace(body, []byte("COMPLETED"), []byte("REJECTED"), 1))
			return serve(f, req)
		}},
		{"stale timestamp", 401, callback.CodeStaleTimestamp, func() *httptest.ResponseRecorder {
			body := encode(t, f.payload())
			req := newRequest("provisioning", body)
			callback.SignRequest(req, tenant, secret, body, f.clock.Add(-6*time.Minute))
			return serve(f, req)
		}},
		{"timestamp from the future", 401, callback.CodeStaleTimestamp, func() *httptest.ResponseRecorder {
			body := encode(t, f.payload())
			req := newRequest("provisioning", body)
			callback.SignRequest(req, tenant, secret, body, f.clock.Add(6*time.Minute))
			return serve(f, req)
		}},
		{"no signature headers", 401, callback.CodeMissingCredentials, func() *httptest.ResponseRecorder {
			return serve(f, newRequest("provisioning", encode(t, f.payload())))
		}},
		{"GET", 405, callback.CodeMethodNotAllowed, func() *httptest.ResponseRecorder {
			return serve(f, httptest.NewRequest(http.MethodGet, "/api/v1/integrations/provisioning/callbacks", nil))
		}},
		{"unknown tenant", 404, callback.CodeUnknownTenant, func() *httptest.ResponseRecorder {
			return f.send("provisioning", "tenant-zz", secret, encode(t, f.payload()))
		}},
		{"unknown system", 404, callback.CodeUnknownSystem, func() *httptest.ResponseRecorder {
			return f.send("inventory", tenant, secret, encode(t, f.payload()))
		}},
		{"not JSON", 400, callback.CodeMalformedPayload, func() *httptest.ResponseRecorder {
			return f.send("provisioning", tenant, secret, []byte(`{"partnerEventId": `))
		}},
		{"unknown field", 400, callback.CodeMalformedPayload, func() *httptest.ResponseRecorder {
			return f.send("provisioning", tenant, secret, valid(func(p map[string]any) { p["status"] = "DONE" }))
		}},
		{"bad outcome", 400, callback.CodeMalformedPayload, func() *httptest.ResponseRecorder {
			return f.send("provisioning", tenant, secret, valid(func(p map[string]any) { p["outcome"] = "MAYBE" }))
		}},
		{"rejection without reason code", 400, callback.CodeMalformedPayload, func() *httptest.ResponseRecorder {
			return f.send("provisioning", tenant, secret, valid(func(p map[string]any) { p["outcome"] = "REJECTED" }))
		}},
		{"missing fields", 400, callback.CodeMalformedPayload, func() *httptest.ResponseRecorder {
			return f.send("provisioning", tenant, secret, valid(func(p map[string]any) {
				delete(p, "partnerEventId")
				delete(p, "occurredAt")
				p["orderId"] = "not-a-uuid"
			}))
		}},
		{"two documents", 400, callback.CodeMalformedPayload, func() *httptest.ResponseRecorder {
			body := append(encode(t, f.payload()), encode(t, f.payload())...)
			return f.send("provisioning", tenant, secret, body)
		}},
		{"wrong media type", 415, callback.CodeUnsupportedMedia, func() *httptest.ResponseRecorder {
			body := encode(t, f.payload())
			req := newRequest("provisioning", body)
			req.Header.Set("Content-Type", "text/plain")
			callback.SignRequest(req, tenant, secret, body, f.clock)
			return serve(f, req)
		}},
		{"too large", 413, callback.CodePayloadTooLarge, func() *httptest.ResponseRecorder {
			return f.send("provisioning", tenant, secret, valid(func(p map[string]any) { p["reason"] = strings.Repeat("x", 70<<10) }))
		}},
		{"too large without length", 413, callback.CodePayloadTooLarge, func() *httptest.ResponseRecorder {
			body := valid(func(p map[string]any) { p["reason"] = strings.Repeat("x", 70<<10) })
			req := newRequest("provisioning", body)
			req.ContentLength = -1 // chunked: only reading finds out
			callback.SignRequest(req, tenant, secret, body, f.clock)
			return serve(f, req)
		}},
		{"unknown order", 404, callback.CodeUnknownTask, func() *httptest.ResponseRecorder {
			return f.post(withField(f.payload(), "orderId", domain.NewUUID()))
		}},
		{"unknown task", 404, callback.CodeUnknownTask, func() *httptest.ResponseRecorder {
			return f.post(withField(f.payload(), "taskId", domain.NewUUID()))
		}},
		{"task of another tenant", 404, callback.CodeUnknownTask, func() *httptest.ResponseRecorder {
			return f.send("provisioning", "tenant-b", "tenant-b-callback-secret-0123456789", encode(t, f.payload()))
		}},
		{"task of another system", 404, callback.CodeUnknownTask, func() *httptest.ResponseRecorder {
			return f.send("billing", tenant, secret, encode(t, f.payload()))
		}},
		{"correlation id of another task", 409, callback.CodeCorrelationMismatch, func() *httptest.ResponseRecorder {
			return f.post(withField(f.payload(), "taskId", f.ipProvID))
		}},
	}
	before := f.rows()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := c.do()
			assertProblem(t, rec, c.status, c.code)
			if after := f.rows(); after != before {
				t.Fatalf("rows changed: before %+v after %+v", before, after)
			}
		})
	}
	if f.attemptStatus() != "ACCEPTED" {
		t.Fatalf("attempt status %s", f.attemptStatus())
	}
}

func TestPartnerEventIDReusedWithOtherPayloadIsConflict(t *testing.T) {
	f := newFixture(t)
	if rec := f.post(f.payload()); rec.Code != http.StatusAccepted {
		t.Fatalf("first: %d %s", rec.Code, rec.Body)
	}
	before := f.rows()
	p := f.payload()
	p["outcome"], p["reasonCode"] = "FAILED", "CHANGED_MY_MIND"
	assertProblem(t, f.post(p), http.StatusConflict, callback.CodeEventIDReused)
	if after := f.rows(); after != before || f.attemptStatus() != "COMPLETED" {
		t.Fatalf("rows before %+v after %+v, attempt %s", before, after, f.attemptStatus())
	}
}

// A failure inside the transaction (here the outbox insert, made to fail by a trigger on the
// real database) leaves no evidence and no attempt update; the partner's redelivery then works.
func TestFailureMidTransactionLeavesNothing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	_, err := f.pool.Exec(ctx, `
		create function refuse_outbox() returns trigger language plpgsql as $$
		begin raise exception 'outbox unavailable'; end $$;
		create trigger refuse_outbox before insert on outbox_event for each row execute function refuse_outbox();`)
	must(t, err)
	before := f.rows()
	rec := f.post(f.payload())
	assertProblem(t, rec, http.StatusInternalServerError, callback.CodeInternal)
	if after := f.rows(); after != before || f.attemptStatus() != "ACCEPTED" {
		t.Fatalf("half-written: before %+v after %+v, attempt %s", before, after, f.attemptStatus())
	}
	_, err = f.pool.Exec(ctx, `drop trigger refuse_outbox on outbox_event`)
	must(t, err)
	if rec := f.post(f.payload()); rec.Code != http.StatusAccepted {
		t.Fatalf("redelivery after recovery: %d %s", rec.Code, rec.Body)
	}
	assertAddedOnce(t, f, before)
}

func assertProblem(t *testing.T, rec *httptest.ResponseRecorder, status int, code string) {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d: %s", rec.Code, status, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("content type %q", ct)
	}
	p := decode[callback.Problem](t, rec)
	if p.Code != code || p.Status != status || p.Title == "" {
		t.Fatalf("problem %+v, want code %s", p, code)
	}
}

func withField(p map[string]any, k string, v any) map[string]any {
	p[k] = v
	return p
}

func newRequest(system string, body []byte) *http.Request {
	req := httptest.NewRequest(http.MethodPost, "/api/v1/integrations/"+system+"/callbacks", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return req
}

func httpBody(b []byte) *readCloser { return &readCloser{bytes.NewReader(b)} }

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

func serve(f *fixture, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	f.handler.ServeHTTP(rec, req)
	return rec
}
