package callback

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/adapter"
	"github.com/orderfleet/orderfleet/internal/postgres"
	"github.com/orderfleet/orderfleet/internal/telemetry"
)

// Pattern is the route the handler serves; mount the Handler on a mux under it. It names no
// method so that a GET gets a problem+json 405 rather than the mux's plain-text one.
const Pattern = "/api/v1/integrations/{system}/callbacks"

// Handler serves the callback API. It writes only to PostgreSQL and never calls the engine.
type Handler struct {
	cfg     Config
	store   *postgres.Store
	log     *zap.Logger
	metrics *metrics
	mux     *http.ServeMux
}

// New builds the handler and registers its metrics on reg.
func New(cfg Config, store *postgres.Store, log *zap.Logger, reg prometheus.Registerer) (*Handler, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	h := &Handler{cfg: cfg, store: store, log: log, metrics: newMetrics(reg), mux: http.NewServeMux()}
	h.mux.HandleFunc(Pattern, h.serveCallback)
	return h, nil
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

func (h *Handler) serveCallback(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeProblem(w, refuse(http.StatusMethodNotAllowed, CodeMethodNotAllowed, "callbacks are delivered with POST"))
		return
	}
	route := r.PathValue("system")
	system, ok := adapter.SystemOfCallbackRoute(route)
	if !ok {
		h.refuse(w, "unknown", refuse(http.StatusNotFound, CodeUnknownSystem, fmt.Sprintf("no callback API for %q", route)))
		return
	}
	d, rf := h.authenticate(r, system)
	if rf != nil {
		h.refuse(w, system, rf)
		return
	}
	res, err := record(r.Context(), h.store, d)
	var rfErr *refusal
	switch {
	case errors.As(err, &rfErr):
		h.refuse(w, system, rfErr)
		return
	case err != nil:
		h.log.Error("callback not stored", zap.String(telemetry.FieldTenantID, d.tenantID), zap.String(telemetry.FieldOwnerSystem, system),
			zap.String(telemetry.FieldOrderID, d.payload.OrderID), zap.String(telemetry.FieldFulfillmentTaskID, d.payload.TaskID), zap.Error(err))
		h.refuse(w, system, refuse(http.StatusInternalServerError, CodeInternal, "the callback was not stored; deliver it again"))
		return
	}
	h.metrics.received.WithLabelValues(system, d.payload.Outcome).Inc()
	status := http.StatusAccepted
	if res.Duplicate {
		status = http.StatusOK
		h.metrics.duplicate.WithLabelValues(system).Inc()
	} else {
		h.metrics.latency.WithLabelValues(system).Observe(d.receivedAt.Sub(d.occurredAt).Seconds())
	}
	h.log.Info("callback received", zap.String(telemetry.FieldTenantID, d.tenantID), zap.String(telemetry.FieldOwnerSystem, system),
		zap.String(telemetry.FieldOrderID, d.payload.OrderID), zap.String(telemetry.FieldFulfillmentTaskID, d.payload.TaskID),
		zap.String(telemetry.FieldExternalCorrelationID, d.payload.ExternalCorrelationID), zap.String("outcome", d.payload.Outcome),
		zap.String("callbackEvidenceId", res.CallbackEvidenceID), zap.Bool("duplicate", res.Duplicate))
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(res)
}

// authenticate checks, in order: credentials present, tenant known, size, signature, media
// type, schema. Nothing is read from the database before the signature holds.
func (h *Handler) authenticate(r *http.Request, system string) (delivery, *refusal) {
	d := delivery{tenantID: r.Header.Get(HeaderTenant), system: system, correlationID: r.Header.Get(adapter.HeaderCorrelationID)}
	ts, sig := r.Header.Get(HeaderTimestamp), r.Header.Get(HeaderSignature)
	if d.tenantID == "" || ts == "" || sig == "" {
		return d, refuse(http.StatusUnauthorized, CodeMissingCredentials,
			fmt.Sprintf("%s, %s and %s are required", HeaderTenant, HeaderTimestamp, HeaderSignature))
	}
	secret, ok := h.cfg.Secrets[d.tenantID]
	if !ok {
		return d, refuse(http.StatusNotFound, CodeUnknownTenant, fmt.Sprintf("unknown tenant %q", d.tenantID))
	}
	tooLarge := refuse(http.StatusRequestEntityTooLarge, CodePayloadTooLarge, fmt.Sprintf("body exceeds %d bytes", h.cfg.MaxBodyBytes))
	if r.ContentLength > h.cfg.MaxBodyBytes {
		return d, tooLarge
	}
	raw, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, h.cfg.MaxBodyBytes))
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) {
		return d, tooLarge
	}
	if err != nil {
		return d, refuse(http.StatusBadRequest, CodeMalformedPayload, "body could not be read")
	}
	d.receivedAt = h.cfg.Now().UTC().Truncate(time.Microsecond) // PostgreSQL precision: a redelivery reads back the same instant
	switch err := verify(secret, ts, sig, raw, d.receivedAt, h.cfg.ReplayWindow); {
	case errors.Is(err, errStaleTimestamp):
		return d, refuse(http.StatusUnauthorized, CodeStaleTimestamp, fmt.Sprintf("timestamp is more than %v from now", h.cfg.ReplayWindow))
	case err != nil:
		return d, refuse(http.StatusUnauthorized, CodeInvalidSignature, "signature does not match the body and timestamp")
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return d, refuse(http.StatusUnsupportedMediaType, CodeUnsupportedMedia, "Content-Type must be application/json")
	}
	p, at, fields := decodePayload(raw)
	if len(fields) > 0 {
		rf := refuse(http.StatusBadRequest, CodeMalformedPayload, "the callback does not match the schema")
		rf.fields = fields
		return d, rf
	}
	hash, err := adapter.CanonicalHash(raw)
	if err != nil {
		return d, refuse(http.StatusBadRequest, CodeMalformedPayload, err.Error())
	}
	d.payload, d.occurredAt, d.raw, d.hash = p, at, raw, hash
	return d, nil
}

func (h *Handler) refuse(w http.ResponseWriter, system string, rf *refusal) {
	h.metrics.refused.WithLabelValues(system, rf.code).Inc()
	if rf.status >= 500 {
		w.Header().Set("Retry-After", "5")
	}
	writeProblem(w, rf)
}
