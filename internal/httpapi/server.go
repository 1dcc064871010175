// Package httpapi is the OMS HTTP API (seed 001 §22, seed 000 §18-19): order
// capture, reads of orders, plans, tasks, fallout and the timeline, and the
// operator commands. Commands change the OMS only; each writes its state,
// audit entries and outbox events in one transaction, and the outbox relay
// and correlation router carry the facts to the engine (seed 001 §11).
package httpapi

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/callback"
	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/postgres"
)

// Server is the API's http.Handler.
type Server struct {
	cfg     Config
	store   *postgres.Store
	catalog *domain.Catalog
	log     *zap.Logger
	metrics *metrics
	tokens  tokenIndex
	mux     *http.ServeMux
}

// route is one operation: a query answers 200 with what it returns, a
// command returns the work to run in the request's transaction.
type route struct {
	method  string
	path    string
	query   func(*Server, *call) (any, error)
	command func(*Server, *call) (txWork, error)
}

// OpenAPIPath serves the API description.
const OpenAPIPath = "/openapi.json"

// New builds the API. callbacks, when not nil, is mounted at callback.Pattern.
func New(cfg Config, store *postgres.Store, catalog *domain.Catalog, log *zap.Logger, reg prometheus.Registerer, callbacks http.Handler) (*Server, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if store == nil || catalog == nil || log == nil {
		return nil, errors.New("api: store, catalog and logger are required")
	}
	s := &Server{cfg: cfg, store: store, catalog: catalog, log: log, metrics: newMetrics(reg),
		tokens: newTokenIndex(cfg.Tokens), mux: http.NewServeMux()}
	allowed := map[string][]string{OpenAPIPath: {http.MethodGet}}
	s.mux.HandleFunc(http.MethodGet+" "+OpenAPIPath, serveOpenAPI)
	for _, rt := range routes {
		s.mux.Handle(rt.method+" "+rt.path, s.handler(rt))
		allowed[rt.path] = append(allowed[rt.path], rt.method)
	}
	for path, methods := range allowed {
		s.mux.Handle(path, methodNotAllowed(methods))
	}
	if callbacks != nil {
		s.mux.Handle(callback.Pattern, callbacks)
	}
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.answerError(w, r, fail(CodeRouteNotFound, "no route "+r.URL.Path))
	})
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.observe(w, r) }

// handler adapts a route: authenticate, then run the query or the command.
func (s *Server) handler(rt route) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := s.begin(w, r)
		if err != nil {
			s.answerError(w, r, err)
			return
		}
		if rt.query != nil {
			v, err := rt.query(s, c)
			if err != nil {
				s.answerError(w, r, err)
				return
			}
			writeJSON(w, http.StatusOK, v)
			return
		}
		work, err := rt.command(s, c)
		if err != nil {
			s.answerError(w, r, err)
			return
		}
		res, err := s.execute(c, work)
		if err != nil {
			s.answerError(w, r, err)
			return
		}
		if res.replayed {
			w.Header().Set(HeaderReplayed, "true")
			infoOf(r).replayed = true
		}
		if res.location != "" {
			w.Header().Set("Location", res.location)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(res.status)
		_, _ = w.Write(res.body)
	}
}

func (s *Server) answerError(w http.ResponseWriter, r *http.Request, err error) {
	p := problemOf(err)
	if p.Status >= http.StatusInternalServerError {
		infoOf(r).err = err
	}
	writeProblem(w, p)
}

func methodNotAllowed(methods []string) http.HandlerFunc {
	slices.Sort(methods)
	allow := strings.Join(methods, ", ")
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		writeProblem(w, problemOf(fail(CodeMethodNotAllowed, r.Method+" is not served here; use "+allow)))
	}
}
