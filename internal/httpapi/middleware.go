package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/adapter"
	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/telemetry"
	"github.com/orderfleet/orderfleet/internal/tracecontext"
)

// Headers the API reads or sets besides the standard ones.
const (
	HeaderIdempotencyKey = "Idempotency-Key"
	HeaderReplayed       = "Idempotent-Replayed"
	HeaderCorrelationID  = adapter.HeaderCorrelationID
)

// requestInfo collects what the access log reports; handlers fill it in.
type requestInfo struct {
	tenantID string
	replayed bool
	err      error
}

type infoKey struct{}

func infoOf(r *http.Request) *requestInfo {
	if info, ok := r.Context().Value(infoKey{}).(*requestInfo); ok {
		return info
	}
	return &requestInfo{}
}

// statusWriter remembers the status written, for metrics and the log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// observe wraps every request: panic recovery, metrics per route and
// status, and one access log line with the tenant and order.
func (s *Server) observe(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	info := &requestInfo{}
	ctx := context.WithValue(r.Context(), infoKey{}, info)
	// The events this request records carry its trace context to Kafka; callbacks included.
	if tp, ok := tracecontext.Parse(r.Header.Get(tracecontext.Header)); ok {
		ctx = tracecontext.With(ctx, tp)
	}
	r = r.WithContext(ctx)
	sw := &statusWriter{ResponseWriter: w}
	defer func() {
		if v := recover(); v != nil {
			info.err = fmt.Errorf("panic: %v", v)
			if sw.status == 0 {
				writeProblem(sw, problemOf(info.err))
			}
		}
		route := r.Pattern // set by the mux on this request
		if route == "" {
			route = "unmatched"
		}
		elapsed := time.Since(start)
		s.metrics.requests.WithLabelValues(route, strconv.Itoa(sw.status)).Inc()
		s.metrics.latency.WithLabelValues(route).Observe(elapsed.Seconds())
		if info.replayed {
			s.metrics.replays.WithLabelValues(route).Inc()
		}
		fields := []zap.Field{
			zap.String("method", r.Method), zap.String("route", route), zap.String("path", r.URL.Path),
			zap.Int("status", sw.status), zap.Int64(telemetry.FieldDurationMs, elapsed.Milliseconds()),
			zap.String(telemetry.FieldTenantID, info.tenantID), zap.String(telemetry.FieldOrderID, r.PathValue("orderId")),
			zap.String(telemetry.FieldCorrelationID, sw.Header().Get(HeaderCorrelationID)), zap.Bool("idempotentReplay", info.replayed),
		}
		if info.err != nil {
			s.log.Error("request failed", append(fields, zap.Error(info.err))...)
			return
		}
		s.log.Info("request", fields...)
	}()
	s.mux.ServeHTTP(sw, r)
}

// begin authenticates the request and reads what every handler needs.
func (s *Server) begin(w http.ResponseWriter, r *http.Request) (*call, error) {
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return nil, fail(CodeUnauthorized, "a bearer token is required")
	}
	tenant := s.tokens.tenantOf(strings.TrimSpace(token))
	if tenant == "" {
		return nil, fail(CodeUnauthorized, "the bearer token is not valid")
	}
	infoOf(r).tenantID = tenant
	c := &call{r: r, tenantID: tenant, now: s.cfg.Now().UTC().Truncate(time.Microsecond)}
	var check fieldCheck
	c.correlationID = r.Header.Get(HeaderCorrelationID)
	if len(c.correlationID) > 128 {
		check.add(HeaderCorrelationID, "must be at most 128 characters")
	}
	if c.correlationID == "" {
		c.correlationID = domain.NewUUID()
	}
	w.Header().Set(HeaderCorrelationID, c.correlationID)
	if r.Method != http.MethodPost {
		return c, check.err()
	}
	c.idempotencyKey = r.Header.Get(HeaderIdempotencyKey)
	if !validKey(c.idempotencyKey) {
		check.add(HeaderIdempotencyKey, "must be 1 to 255 printable ASCII characters")
	}
	if err := check.err(); err != nil {
		return nil, err
	}
	body, err := readBody(r, s.cfg.MaxBodyBytes)
	c.body = body
	return c, err
}

// validKey accepts an absent key (the request then has no replay
// protection) or 1-255 printable ASCII characters.
func validKey(k string) bool {
	if len(k) > 255 {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return false
		}
	}
	return true
}
