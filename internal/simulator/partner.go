package simulator

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/orderfleet/orderfleet/internal/adapter"
)

// answer is what decide chose for one request.
type answer struct {
	status   int
	body     []byte
	replayed bool
	hang     bool
	problem  *adapter.WireProblem
}

// servePartner is POST /systems/{system}/operations/{operation}: the partner API itself.
func (s *Simulator) servePartner(w http.ResponseWriter, r *http.Request) {
	system, operation := r.PathValue("system"), r.PathValue("operation")
	key := r.Header.Get(adapter.HeaderIdempotencyKey)
	var req adapter.WireRequest
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	switch {
	case !slices.Contains(adapter.Systems, system):
		writeProblem(w, http.StatusNotFound, "unknown_system", "no such system: "+system)
		return
	case key == "":
		writeProblem(w, http.StatusBadRequest, "missing_idempotency_key", "the Idempotency-Key header is required")
		return
	case err != nil:
		writeProblem(w, http.StatusRequestEntityTooLarge, "payload_too_large", err.Error())
		return
	case json.Unmarshal(raw, &req) != nil:
		writeProblem(w, http.StatusBadRequest, "malformed_request", "the body is not a request document")
		return
	case req.Operation != operation || req.ExternalSystem != system:
		writeProblem(w, http.StatusBadRequest, "malformed_request", "operation and externalSystem must match the path")
		return
	}
	a := s.decide(key, system, operation, req)
	s.metrics.requests.WithLabelValues(system, operation, answerLabel(a)).Inc()
	switch {
	case a.problem != nil:
		writeProblem(w, a.problem.Status, a.problem.Code, a.problem.Detail)
	case a.hang:
		select { // the client's timeout ends this; so does shutdown
		case <-r.Context().Done():
		case <-s.ctx.Done():
			writeProblem(w, http.StatusServiceUnavailable, "shutting_down", "the simulator is stopping")
		}
	default:
		if a.replayed {
			w.Header().Set(adapter.HeaderReplayed, "true")
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(a.status)
		_, _ = w.Write(a.body)
	}
}

// decide answers one request under the ledger lock: a known key is replayed, a new one meets
// its scenario. Only the final answer of a key is stored; 503s and hangs leave the key open.
func (s *Simulator) decide(key, system, operation string, req adapter.WireRequest) answer {
	s.ledger.mu.Lock()
	defer s.ledger.mu.Unlock()
	e := s.ledger.open(key, system, operation, req, s.cfg.Now().UTC())
	e.Deliveries++
	if e.RequestHash != req.RequestHash() || e.System != system || e.Operation != operation {
		return answer{problem: &adapter.WireProblem{Status: http.StatusBadRequest, Code: "idempotency_key_reused",
			Detail: "this idempotency key was used for a different request"}}
	}
	if e.Outcome != "" {
		e.Replays++
		return answer{status: e.Status, body: e.body, replayed: true}
	}
	sc := s.rules.Resolve(system, operation, req.OrderID, req.TaskID)
	if e.TransientFailures < sc.TransientFailures {
		e.TransientFailures++
		return answer{problem: &adapter.WireProblem{Status: http.StatusServiceUnavailable, Code: "temporarily_unavailable",
			Detail: "simulated transient failure"}}
	}
	e.ExternalCorrID = strings.TrimSuffix(system, "-adapter") + "-" + digest(key)[:20]
	switch sc.Behavior {
	case Hang:
		e.ExternalCorrID = ""
		return answer{hang: true}
	case Reject:
		e.ExternalCorrID = ""
		s.finish(e, http.StatusUnprocessableEntity, adapter.WireResponse{Outcome: adapter.OutcomeRejected,
			ReasonCode: sc.ReasonCode, Reason: "simulated rejection by " + system})
	case Async, NeverAnswer:
		e.Effects++
		s.finish(e, http.StatusAccepted, adapter.WireResponse{Outcome: adapter.OutcomeAccepted, ExternalCorrelationID: e.ExternalCorrID})
		if sc.Behavior == Async {
			s.scheduleCallback(key, sc.CallbackOutcome, sc.ReasonCode, time.Duration(sc.Delay))
		}
	default: // succeed, and fail-transiently once its failures are spent
		e.Effects++
		s.finish(e, http.StatusOK, adapter.WireResponse{Outcome: adapter.OutcomeCompleted, ExternalCorrelationID: e.ExternalCorrID,
			Result: map[string]any{"system": system, "operation": operation, "simulated": true}})
	}
	return answer{status: e.Status, body: e.body}
}

// finish stores the final answer of a key.
func (s *Simulator) finish(e *Entry, status int, resp adapter.WireResponse) {
	e.Status, e.Outcome, e.ReasonCode = status, string(resp.Outcome), resp.ReasonCode
	e.body, _ = json.Marshal(resp)
}

func answerLabel(a answer) string {
	switch {
	case a.problem != nil:
		return a.problem.Code
	case a.hang:
		return "hang"
	case a.replayed:
		return "replay"
	}
	return strings.ToLower(string(map[int]adapter.Outcome{http.StatusOK: adapter.OutcomeCompleted,
		http.StatusAccepted: adapter.OutcomeAccepted, http.StatusUnprocessableEntity: adapter.OutcomeRejected}[a.status]))
}

func writeProblem(w http.ResponseWriter, status int, code, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "0")
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(adapter.WireProblem{Title: http.StatusText(status), Status: status, Detail: detail, Code: code})
}
