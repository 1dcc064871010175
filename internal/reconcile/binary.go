package reconcile

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/app"
	"github.com/orderfleet/orderfleet/internal/config"
	"github.com/orderfleet/orderfleet/internal/engineapi"
)

// Binary names the reconciler executable.
const Binary = "reconciler"

// DefaultEngineAPIURL is the local stack's engine HTTP port, which serves its read API.
const DefaultEngineAPIURL = "http://127.0.0.1:8080"

// Settings are the reconciler's flags and ORDERFLEET_* variables.
type Settings struct {
	app.Common
	EngineAPIURL, EngineAPIToken string
	Once                         bool
	Reconcile                    Config
}

// NewSettings registers the settings. The reconciler reads the engine through its read API only,
// so the Zeebe gateway address is not offered.
func NewSettings() (*Settings, *config.Set) {
	st := &Settings{}
	s := config.New(Binary, `reconciler compares the OMS with the engine and the outbox every interval and records each
divergence in reconciliation_finding (seed 000 §24, §29): live orders without a running instance,
instances still running for ended or cancelled orders, failed tasks without an open fallout case,
tasks in flight past their timeout policy, and outbox events left unpublished. Instance state is
read from the engine's read API, not from our workflow tables. A finding no longer seen is marked resolved.
Findings are counted in orderfleet_reconcile_findings{kind}; list them with 'fleetctl reconcile --list'.`)
	c := &st.Common
	s.Secret(&c.DatabaseURL, "database-url", "ORDERFLEET_DATABASE_URL", app.DefaultDatabaseURL, "PostgreSQL (the OMS) connection URL")
	s.String(&c.AdminAddr, "admin-addr", "ORDERFLEET_ADMIN_ADDR", "127.0.0.1:9114", "listener for /metrics, /healthz and /readyz")
	s.String(&c.LogLevel, "log-level", "ORDERFLEET_LOG_LEVEL", "info", "debug, info, warn or error")
	s.Duration(&c.StartupTimeout, "startup-timeout", "ORDERFLEET_STARTUP_TIMEOUT", time.Minute, "how long to wait for PostgreSQL at start")
	s.Duration(&c.ShutdownTimeout, "shutdown-timeout", "ORDERFLEET_SHUTDOWN_TIMEOUT", 30*time.Second, "how long a pass under way may finish after SIGTERM")
	s.String(&st.EngineAPIURL, "engine-api-url", "ORDERFLEET_ENGINE_API_URL", DefaultEngineAPIURL, "the engine's read API (v2 search routes; a Camunda 8.8+ REST API works too), the engine's side of every comparison")
	s.Secret(&st.EngineAPIToken, "engine-api-token", "ORDERFLEET_ENGINE_API_TOKEN", "", "bearer token for the read API (empty: none; our engine needs none)")
	r := &st.Reconcile
	s.Duration(&r.Interval, "interval", "ORDERFLEET_RECONCILE_INTERVAL", DefaultInterval, "pause between two passes")
	s.Bool(&st.Once, "once", "ORDERFLEET_RECONCILE_ONCE", false, "run one pass, print its report as JSON and exit (1 if a check failed); beside a running reconciler also pass --admin-addr 127.0.0.1:0")
	s.String(&r.TenantID, "tenant", "ORDERFLEET_RECONCILE_TENANT", "", "reconcile only this tenant (empty: every tenant)")
	s.Duration(&r.Grace, "grace", "ORDERFLEET_RECONCILE_GRACE", DefaultGrace, "how long a start, an order's end, a fallout case or a timer may lag before it is a finding")
	s.Duration(&r.OutboxMaxAge, "outbox-max-age", "ORDERFLEET_RECONCILE_OUTBOX_MAX_AGE", DefaultOutboxMaxAge, "how long an outbox event may stay unpublished")
	s.Duration(&r.Lookback, "lookback", "ORDERFLEET_RECONCILE_LOOKBACK", DefaultLookback, "how far back ended orders are checked for instances still running")
	return st, s
}

// NewEngine is the engine's side for a reconciler: the engine's read API.
func NewEngine(url, token string) *engineapi.Client {
	return engineapi.New(url, engineapi.BearerToken(token))
}

// Main is the whole reconciler binary; it returns the exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	st, settings := NewSettings()
	return app.Execute(args, stdout, stderr, settings, func(ctx context.Context) (app.Runner, func(), error) {
		if err := st.Reconcile.Validate(); err != nil {
			return nil, nil, err
		}
		deps, err := st.Common.Open(ctx, Binary, true, false)
		if err != nil {
			return nil, nil, err
		}
		rec := New(st.Reconcile, deps.DB, NewEngine(st.EngineAPIURL, st.EngineAPIToken), deps.Log, deps.Registry)
		deps.Log.Info("starting", zap.Strings("settings", settings.Summary()), zap.String("admin", deps.Admin.Addr()))
		return runner{rec: rec, deps: deps, once: st.Once, drain: st.ShutdownTimeout, out: stdout}, deps.Close, nil
	})
}

type runner struct {
	rec   *Reconciler
	deps  *app.Deps
	once  bool
	drain time.Duration
	out   io.Writer
}

func (r runner) Run(ctx context.Context) error {
	r.deps.Admin.SetReady(true)
	defer r.deps.Admin.SetReady(false)
	if !r.once {
		return r.rec.Run(ctx, r.drain)
	}
	rep, err := r.rec.Pass(ctx)
	if encErr := json.NewEncoder(r.out).Encode(rep); encErr != nil {
		return encErr
	}
	if err != nil {
		return fmt.Errorf("reconciliation pass incomplete: %w", err)
	}
	return nil
}
