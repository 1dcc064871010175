package simulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"

	"github.com/orderfleet/orderfleet/internal/adapter"
)

func (s *Simulator) routes() {
	s.mux.HandleFunc("POST /systems/{system}/operations/{operation}", s.servePartner)
	s.mux.HandleFunc("GET /scenarios", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, http.StatusOK, s.rules.List()) })
	s.mux.HandleFunc("PUT /scenarios/{system}/{operation}", s.putRule(func(r *http.Request, rule *Rule) {}))
	s.mux.HandleFunc("PUT /orders/{orderId}/scenarios/{system}/{operation}",
		s.putRule(func(r *http.Request, rule *Rule) { rule.OrderID = r.PathValue("orderId") }))
	s.mux.HandleFunc("PUT /tasks/{taskId}/scenarios/{system}/{operation}",
		s.putRule(func(r *http.Request, rule *Rule) { rule.TaskID = r.PathValue("taskId") }))
	s.mux.HandleFunc("DELETE /orders/{orderId}/scenarios", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]int{"removed": s.rules.ClearFor(r.PathValue("orderId"), "")})
	})
	s.mux.HandleFunc("DELETE /tasks/{taskId}/scenarios", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]int{"removed": s.rules.ClearFor("", r.PathValue("taskId"))})
	})
	s.mux.HandleFunc("POST /scenarios/reset", func(w http.ResponseWriter, _ *http.Request) {
		s.rules.Reset()
		writeJSON(w, http.StatusOK, s.rules.List())
	})
	s.mux.HandleFunc("GET /ledger", func(w http.ResponseWriter, r *http.Request) {
		entries := s.ledger.Find(queryOf(r))
		writeJSON(w, http.StatusOK, LedgerPage{Entries: entries, Effects: TotalEffects(entries)})
	})
	s.mux.HandleFunc("DELETE /ledger", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]int{"removed": s.ledger.Forget(queryOf(r))})
	})
	s.mux.HandleFunc("POST /callbacks/deliver", s.serveDeliver)
}

// LedgerPage is the answer of GET /ledger.
type LedgerPage struct {
	Entries []Entry `json:"entries"`
	Effects int     `json:"effects"` // sum over the entries
}

func queryOf(r *http.Request) Query {
	q := r.URL.Query()
	return Query{OrderID: q.Get("orderId"), TaskID: q.Get("taskId"), IdempotencyKey: q.Get("idempotencyKey"),
		System: q.Get("system"), Operation: q.Get("operation")}
}

// putRule decodes a scenario body into a rule for the path's system and operation.
func (s *Simulator) putRule(scope func(*http.Request, *Rule)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rule := Rule{System: r.PathValue("system"), Operation: r.PathValue("operation")}
		scope(r, &rule)
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&rule.Scenario); err != nil {
			writeProblem(w, http.StatusBadRequest, "malformed_scenario", err.Error())
			return
		}
		if err := rule.normalize(); err != nil {
			writeProblem(w, http.StatusBadRequest, "malformed_scenario", err.Error())
			return
		}
		if rule.System != "" && !slices.Contains(adapter.Systems, rule.System) {
			writeProblem(w, http.StatusNotFound, "unknown_system", "no such system: "+rule.System)
			return
		}
		s.rules.Set(rule)
		writeJSON(w, http.StatusOK, rule)
	}
}

// DeliverRequest asks for a key's callback now: Times deliveries of the same document (the
// redelivery a partner does after a lost answer). A different Outcome, or a key that has no
// callback yet (never-answer), makes a new document with a new partner event id.
type DeliverRequest struct {
	IdempotencyKey string `json:"idempotencyKey"`
	Times          int    `json:"times,omitempty"` // default 1
	Outcome        string `json:"outcome,omitempty"`
	ReasonCode     string `json:"reasonCode,omitempty"`
}

// DeliverResult lists the OMS's answer to each delivery (0 when none came).
type DeliverResult struct {
	PartnerEventID string `json:"partnerEventId"`
	Statuses       []int  `json:"statuses"`
}

func (s *Simulator) serveDeliver(w http.ResponseWriter, r *http.Request) {
	var req DeliverRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&req); err != nil || req.IdempotencyKey == "" {
		writeProblem(w, http.StatusBadRequest, "malformed_request", "want {\"idempotencyKey\": ..., \"times\": n}")
		return
	}
	req.Times = max(req.Times, 1)
	s.ledger.mu.Lock()
	e := s.ledger.entries[req.IdempotencyKey]
	var body []byte
	switch {
	case e == nil || e.Outcome != string(adapter.OutcomeAccepted):
		s.ledger.mu.Unlock()
		writeProblem(w, http.StatusConflict, "not_accepted", fmt.Sprintf("key %q has no accepted asynchronous request", req.IdempotencyKey))
		return
	case e.callbackEvent != nil && (req.Outcome == "" || req.Outcome == eventOutcome(e.callbackEvent)):
		body = e.callbackEvent
	default:
		outcome := req.Outcome
		if outcome == "" {
			outcome = "COMPLETED"
		}
		body = s.composeEvent(e, outcome, req.ReasonCode)
	}
	s.ledger.mu.Unlock()
	var ev callbackEvent
	_ = json.Unmarshal(body, &ev)
	res := DeliverResult{PartnerEventID: ev.PartnerEventID}
	for i := 0; i < req.Times; i++ {
		status, _ := s.deliver(r.Context(), req.IdempotencyKey, body)
		res.Statuses = append(res.Statuses, status)
	}
	writeJSON(w, http.StatusOK, res)
}

func eventOutcome(body []byte) string {
	var ev callbackEvent
	_ = json.Unmarshal(body, &ev)
	return ev.Outcome
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
