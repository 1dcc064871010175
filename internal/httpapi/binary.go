package httpapi

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/app"
	"github.com/orderfleet/orderfleet/internal/callback"
	"github.com/orderfleet/orderfleet/internal/config"
	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/omsgauges"
	"github.com/orderfleet/orderfleet/internal/postgres"
)

// Binary names the oms-api executable.
const Binary = "oms-api"

// Settings are oms-api's flags and ORDERFLEET_* variables.
type Settings struct {
	app.Common
	Addr            string
	Tokens          string
	MaxBodyBytes    int
	DefaultPageSize int
	MaxPageSize     int
	Callback        callback.Settings
	// StuckTaskAfter feeds the stuck-task gauges oms-api exports from the database.
	StuckTaskAfter time.Duration
	// IdempotencyRetention is how long an Idempotency-Key is kept; 0 keeps keys for good.
	IdempotencyRetention time.Duration
}

// NewSettings registers the settings. The API never calls the engine, so no Zeebe address is offered.
func NewSettings() (*Settings, *config.Set) {
	st := &Settings{}
	s := config.New(Binary, "oms-api serves the OMS HTTP API (orders, plans, tasks, fallout, timeline, operator commands)\n"+
		"and the signed partner callbacks. It writes state, audit and outbox in one transaction and never calls the engine.")
	c := &st.Common
	s.Secret(&c.DatabaseURL, "database-url", "ORDERFLEET_DATABASE_URL", app.DefaultDatabaseURL, "PostgreSQL (the OMS) connection URL")
	s.String(&c.AdminAddr, "admin-addr", "ORDERFLEET_ADMIN_ADDR", "127.0.0.1:9113", "listener for /metrics, /healthz and /readyz")
	s.String(&c.LogLevel, "log-level", "ORDERFLEET_LOG_LEVEL", "info", "debug, info, warn or error")
	s.Duration(&c.StartupTimeout, "startup-timeout", "ORDERFLEET_STARTUP_TIMEOUT", time.Minute, "how long to wait for PostgreSQL at start")
	s.Duration(&c.ShutdownTimeout, "shutdown-timeout", "ORDERFLEET_SHUTDOWN_TIMEOUT", 30*time.Second, "how long in-flight requests may finish after SIGTERM")
	s.String(&st.Addr, "api-addr", "ORDERFLEET_API_ADDR", "127.0.0.1:8090", "listener of the HTTP API")
	s.Secret(&st.Tokens, "api-tokens", "ORDERFLEET_API_TOKENS", "",
		`bearer tokens and their tenants: {"token":"tenant"}, token=tenant,... or @file; tokens of 16+ characters`)
	s.Int(&st.MaxBodyBytes, "api-max-body", "ORDERFLEET_API_MAX_BODY", 1<<20, "largest request body in bytes (413 above)")
	s.Int(&st.DefaultPageSize, "api-page-size", "ORDERFLEET_API_PAGE_SIZE", 50, "list items per page when ?limit= is absent")
	s.Int(&st.MaxPageSize, "api-max-page-size", "ORDERFLEET_API_MAX_PAGE_SIZE", 200, "largest ?limit= accepted")
	s.Duration(&st.StuckTaskAfter, "stuck-task-after", "ORDERFLEET_STUCK_TASK_AFTER", 2*time.Hour,
		"how long a task may stay in flight before /metrics counts it as stuck")
	s.Duration(&st.IdempotencyRetention, "idempotency-retention", "ORDERFLEET_IDEMPOTENCY_RETENTION", 7*24*time.Hour,
		"how long an Idempotency-Key is kept; a retry after that runs the request again (0: kept for good)")
	st.Callback.Register(s)
	return st, s
}

// Config turns the settings into the handler's configuration.
func (st *Settings) Config() (Config, error) {
	tokens, err := ParseTokens(st.Tokens)
	if err != nil {
		return Config{}, err
	}
	if st.IdempotencyRetention < 0 {
		return Config{}, fmt.Errorf("idempotency retention %s is negative; use 0 to keep keys for good", st.IdempotencyRetention)
	}
	cfg := Config{Tokens: tokens, MaxBodyBytes: int64(st.MaxBodyBytes), DefaultPageSize: st.DefaultPageSize, MaxPageSize: st.MaxPageSize}
	cfg.setDefaults()
	return cfg, cfg.Validate()
}

// Main is the whole oms-api binary; it returns the exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	st, settings := NewSettings()
	return app.Execute(args, stdout, stderr, settings, func(ctx context.Context) (app.Runner, func(), error) {
		cfg, err := st.Config()
		if err != nil {
			return nil, nil, err
		}
		cbCfg, err := st.Callback.Config()
		if err != nil {
			return nil, nil, err
		}
		catalog, err := domain.LoadCatalog()
		if err != nil {
			return nil, nil, fmt.Errorf("catalog: %w", err)
		}
		deps, err := st.Common.Open(ctx, Binary, true, false)
		if err != nil {
			return nil, nil, err
		}
		r, err := newRunner(st, cfg, cbCfg, catalog, deps)
		if err != nil {
			deps.Close()
			return nil, nil, err
		}
		deps.Log.Info("starting", zap.Strings("settings", settings.Summary()), zap.String("api", r.ln.Addr().String()),
			zap.String("admin", deps.Admin.Addr()))
		return r, deps.Close, nil
	})
}

type runner struct {
	deps     *app.Deps
	ln       net.Listener
	server   *http.Server
	expiry   *KeyExpiry
	shutdown time.Duration
}

func newRunner(st *Settings, cfg Config, cbCfg callback.Config, catalog *domain.Catalog, deps *app.Deps) (*runner, error) {
	store := postgres.New(deps.DB)
	// oms-api is the one binary that always runs against the OMS, so it exports the database's gauges.
	if err := deps.Registry.Register(omsgauges.New(deps.DB, omsgauges.Config{StuckAfter: st.StuckTaskAfter})); err != nil {
		return nil, err
	}
	callbacks, err := callback.New(cbCfg, store, deps.Log, deps.Registry)
	if err != nil {
		return nil, err
	}
	api, err := New(cfg, store, catalog, deps.Log, deps.Registry, callbacks)
	if err != nil {
		return nil, err
	}
	expiry, err := NewKeyExpiry(deps.DB, st.IdempotencyRetention, 0, deps.Log, deps.Registry)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", st.Addr)
	if err != nil {
		return nil, fmt.Errorf("api listener %s: %w", st.Addr, err)
	}
	server := &http.Server{Handler: api, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: time.Minute, IdleTimeout: 2 * time.Minute}
	return &runner{deps: deps, ln: ln, server: server, expiry: expiry, shutdown: st.ShutdownTimeout}, nil
}

// Run serves until ctx ends, then lets in-flight requests finish within the shutdown timeout.
func (r *runner) Run(ctx context.Context) error {
	served := make(chan error, 1)
	go func() { served <- r.server.Serve(r.ln) }()
	expiryCtx, stopExpiry := context.WithCancel(ctx)
	expiryDone := make(chan struct{})
	go func() { defer close(expiryDone); r.expiry.Run(expiryCtx) }()
	defer func() { stopExpiry(); <-expiryDone }()
	r.deps.Admin.SetReady(true)
	select {
	case err := <-served:
		r.deps.Admin.SetReady(false)
		return fmt.Errorf("api listener stopped: %w", err)
	case <-ctx.Done():
	}
	r.deps.Admin.SetReady(false)
	stopCtx, cancel := context.WithTimeout(context.Background(), r.shutdown)
	defer cancel()
	if err := r.server.Shutdown(stopCtx); err != nil {
		_ = r.server.Close() // requests still running past the timeout are cut off
		return fmt.Errorf("api shutdown: %w", err)
	}
	r.deps.Log.Info("stopped")
	return nil
}
