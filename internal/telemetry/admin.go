package telemetry

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// NewRegistry returns a registry with the Go runtime and process collectors, one per binary.
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// Admin is the operations listener of a binary: /metrics for Prometheus, /healthz for liveness and
// /readyz, which answers 503 until the binary has said it is ready and again once it starts draining.
type Admin struct {
	server *http.Server
	ln     net.Listener
	ready  atomic.Bool
}

// ListenAdmin binds addr (":0" picks a free port) and serves in the background.
func ListenAdmin(addr string, reg *prometheus.Registry) (*Admin, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	a := &Admin{ln: ln}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if !a.ready.Load() {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ready\n"))
	})
	a.server = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := a.server.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			panic(err) // a dead admin listener would hide the binary from its operators
		}
	}()
	return a, nil
}

// Addr is the bound address, useful when addr was ":0".
func (a *Admin) Addr() string { return a.ln.Addr().String() }

// SetReady flips /readyz.
func (a *Admin) SetReady(ready bool) { a.ready.Store(ready) }

// Close stops the listener, waiting up to the context's deadline for in-flight scrapes.
func (a *Admin) Close(ctx context.Context) error {
	a.SetReady(false)
	return a.server.Shutdown(ctx)
}
