// Package restapi serves the engine's HTTP: the management port (clock, metrics, health) and
// the REST v2 routes and read API of internal/engine/DESIGN.md.
package restapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/camunda/zeebe/clients/go/v8/pkg/pb"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/engine/store"
)

// API holds what the handlers need.
type API struct {
	Store    *store.Store
	Log      *zap.Logger
	Gatherer prometheus.Gatherer
	Ready    *atomic.Bool // /readyz answers 200 once set
	Topology func() any   // GET /v2/topology's body
}

// Management is the management port: clock, metrics, health.
func (a *API) Management() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /actuator/clock", a.getClock)
	mux.HandleFunc("POST /actuator/clock/add", a.addClock)
	mux.HandleFunc("POST /actuator/clock/pin", a.pinClock)
	mux.HandleFunc("DELETE /actuator/clock", a.resetClock)
	mux.Handle("GET /metrics", promhttp.HandlerFor(a.Gatherer, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, map[string]string{"status": "UP"}) })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if a.Ready != nil && !a.Ready.Load() {
			writeJSON(w, 503, map[string]string{"status": "DOWN"})
			return
		}
		writeJSON(w, 200, map[string]string{"status": "UP"})
	})
	return mux
}

// Public is the HTTP port: REST v2 routes and the read API.
func (a *API) Public() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("PUT /v2/clock", a.putClockV2)
	mux.HandleFunc("POST /v2/clock/reset", a.resetClock)
	mux.HandleFunc("PATCH /v2/jobs/{jobKey}", a.patchJob)
	mux.HandleFunc("GET /v2/topology", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, a.Topology()) })
	mux.HandleFunc("POST /v2/process-instances/search", a.searchInstances)
	mux.HandleFunc("GET /v2/process-instances/{key}", a.getInstance)
	mux.HandleFunc("POST /v2/element-instances/search", a.searchElementInstances)
	mux.HandleFunc("POST /v2/incidents/search", a.searchIncidents)
	mux.HandleFunc("POST /v2/variables/search", a.searchVariables)
	mux.HandleFunc("POST /v2/jobs/search", a.searchJobs)
	mux.HandleFunc("GET /engine/messages", a.listMessages)
	mux.HandleFunc("GET /engine/process-instances/{key}/history", a.history)
	return mux
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// problem writes an application/problem+json error.
func problem(w http.ResponseWriter, code int, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{"type": "about:blank", "status": code, "title": http.StatusText(code), "detail": detail})
}

// storeProblem maps a store error to an HTTP problem.
func (a *API) storeProblem(w http.ResponseWriter, err error) {
	code := http.StatusInternalServerError
	switch {
	case errors.Is(err, store.ErrClockNotControlled):
		code = http.StatusForbidden
	default:
		switch store.CodeOf(err) {
		case store.CodeNotFound:
			code = http.StatusNotFound
		case store.CodeAlreadyExists, store.CodeFailedPrecondition:
			code = http.StatusConflict
		case store.CodeInvalidArgument:
			code = http.StatusBadRequest
		case store.CodeUnimplemented:
			code = http.StatusNotImplemented
		}
	}
	if code == http.StatusInternalServerError && a.Log != nil {
		a.Log.Error("HTTP request failed", zap.Error(err))
	}
	problem(w, code, err.Error())
}

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if r.ContentLength == 0 {
		return true
	}
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		problem(w, http.StatusBadRequest, "the request body is not valid JSON: "+err.Error())
		return false
	}
	return true
}

func (a *API) getClock(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, 200, map[string]int64{"epochMilli": a.Store.Clock().Now().UnixMilli()})
}

func (a *API) clockAnswer(w http.ResponseWriter, t time.Time, err error) {
	if err != nil {
		a.storeProblem(w, err)
		return
	}
	writeJSON(w, 200, map[string]int64{"epochMilli": t.UnixMilli()})
}

func (a *API) addClock(w http.ResponseWriter, r *http.Request) {
	var body struct {
		OffsetMilli *int64 `json:"offsetMilli"`
	}
	if !decode(w, r, &body) {
		return
	}
	if body.OffsetMilli == nil {
		problem(w, http.StatusBadRequest, `expected a body {"offsetMilli": N}`)
		return
	}
	t, err := a.Store.Clock().Add(r.Context(), time.Duration(*body.OffsetMilli)*time.Millisecond)
	a.clockAnswer(w, t, err)
}

func (a *API) pinClock(w http.ResponseWriter, r *http.Request) {
	var body struct {
		EpochMilli *int64 `json:"epochMilli"`
	}
	if !decode(w, r, &body) {
		return
	}
	if body.EpochMilli == nil {
		problem(w, http.StatusBadRequest, `expected a body {"epochMilli": N}`)
		return
	}
	t, err := a.Store.Clock().Pin(r.Context(), time.UnixMilli(*body.EpochMilli))
	a.clockAnswer(w, t, err)
}

func (a *API) resetClock(w http.ResponseWriter, r *http.Request) {
	t, err := a.Store.Clock().Reset(r.Context())
	if err != nil {
		a.storeProblem(w, err)
		return
	}
	if r.URL.Path == "/v2/clock/reset" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	a.clockAnswer(w, t, nil)
}

func (a *API) putClockV2(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Timestamp *int64 `json:"timestamp"`
	}
	if !decode(w, r, &body) {
		return
	}
	if body.Timestamp == nil {
		problem(w, http.StatusBadRequest, `expected a body {"timestamp": epochMillis}`)
		return
	}
	if _, err := a.Store.Clock().Pin(r.Context(), time.UnixMilli(*body.Timestamp)); err != nil {
		a.storeProblem(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) patchJob(w http.ResponseWriter, r *http.Request) {
	key, err := strconv.ParseInt(r.PathValue("jobKey"), 10, 64)
	if err != nil {
		problem(w, http.StatusBadRequest, "the job key must be a number")
		return
	}
	var body struct {
		Changeset struct {
			Timeout *int64 `json:"timeout"`
			Retries *int32 `json:"retries"`
		} `json:"changeset"`
	}
	if !decode(w, r, &body) {
		return
	}
	if body.Changeset.Timeout == nil && body.Changeset.Retries == nil {
		problem(w, http.StatusBadRequest, "expected a changeset with timeout or retries")
		return
	}
	if body.Changeset.Retries != nil {
		if err := a.Store.UpdateJobRetries(r.Context(), key, *body.Changeset.Retries); err != nil {
			a.storeProblem(w, err)
			return
		}
	}
	if body.Changeset.Timeout != nil {
		if err := a.Store.UpdateJobTimeout(r.Context(), key, time.Duration(*body.Changeset.Timeout)*time.Millisecond); err != nil {
			a.storeProblem(w, err)
			return
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) listMessages(w http.ResponseWriter, r *http.Request) {
	msgs, err := a.Store.BufferedMessages(r.Context(), r.URL.Query().Get("name"), r.URL.Query().Get("correlationKey"))
	if err != nil {
		a.storeProblem(w, err)
		return
	}
	writeJSON(w, 200, map[string]any{"items": msgs})
}

// TopologyV2 renders a gateway topology in the REST v2 shape.
func TopologyV2(t *pb.TopologyResponse) map[string]any {
	var brokers []map[string]any
	for _, b := range t.GetBrokers() {
		var parts []map[string]any
		for _, p := range b.GetPartitions() {
			parts = append(parts, map[string]any{"partitionId": p.GetPartitionId(),
				"role": strings.ToLower(p.GetRole().String()), "health": strings.ToLower(p.GetHealth().String())})
		}
		brokers = append(brokers, map[string]any{"nodeId": b.GetNodeId(), "host": b.GetHost(), "port": b.GetPort(),
			"version": b.GetVersion(), "partitions": parts})
	}
	return map[string]any{"brokers": brokers, "clusterSize": t.GetClusterSize(), "partitionsCount": t.GetPartitionsCount(),
		"replicationFactor": t.GetReplicationFactor(), "gatewayVersion": t.GetGatewayVersion()}
}
