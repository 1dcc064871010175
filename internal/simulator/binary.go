package simulator

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/callback"
	"github.com/orderfleet/orderfleet/internal/config"
	"github.com/orderfleet/orderfleet/internal/telemetry"
)

// Settings are the adapter-simulator binary's settings.
type Settings struct {
	Listen           string
	AdminAddr        string
	LogLevel         string
	Scenarios        string
	Secrets          string
	CallbackBaseURL  string
	CallbackAttempts int
	ShutdownTimeout  time.Duration
}

// NewSettings registers the binary's settings.
func NewSettings() (*Settings, *config.Set) {
	st := &Settings{}
	s := config.New("adapter-simulator", "adapter-simulator plays the external systems (inventory, serviceability, provisioning,\n"+
		"shipping, appointment, billing, notification) for tests and the demo, with per-scenario\n"+
		"answers, signed asynchronous callbacks and a ledger of side effects per idempotency key.")
	s.String(&st.Listen, "listen", "ORDERFLEET_SIM_LISTEN", "127.0.0.1:9180", "partner API and scenario/ledger admin routes")
	s.String(&st.AdminAddr, "admin-addr", "ORDERFLEET_ADMIN_ADDR", "127.0.0.1:9181", "listener for /metrics, /healthz and /readyz")
	s.String(&st.LogLevel, "log-level", "ORDERFLEET_LOG_LEVEL", "info", "debug, info, warn or error")
	s.String(&st.Scenarios, "scenarios", "ORDERFLEET_SIM_SCENARIOS", "",
		`start-up scenario rules: a JSON array like [{"system":"provisioning-adapter","operation":"*","behavior":"async","delay":"1s"}] or @file`)
	s.Secret(&st.Secrets, "callback-secrets", callback.EnvSecrets, "",
		`tenant secrets to sign callbacks: {"tenant":"secret"}, tenant=secret,... or @file`)
	s.String(&st.CallbackBaseURL, "callback-base-url", "ORDERFLEET_SIM_CALLBACK_BASE_URL", "",
		"OMS API base URL for callbacks when a request carries no callbackUrl")
	s.Int(&st.CallbackAttempts, "callback-attempts", "ORDERFLEET_SIM_CALLBACK_ATTEMPTS", 5, "deliveries of one callback before giving up")
	s.Duration(&st.ShutdownTimeout, "shutdown-timeout", "ORDERFLEET_SHUTDOWN_TIMEOUT", 10*time.Second, "how long requests may finish after SIGTERM")
	return st, s
}

// Main is the running binary.
type Main struct {
	Sim    *Simulator
	Log    *zap.Logger
	admin  *telemetry.Admin
	ln     net.Listener
	server *http.Server
	stop   time.Duration
}

// Open builds the simulator and binds both listeners.
func (st *Settings) Open(summary []string) (*Main, error) {
	rules, err := ParseRules(st.Scenarios)
	if err != nil {
		return nil, err
	}
	secrets, err := callback.ParseSecrets(st.Secrets)
	if err != nil {
		return nil, err
	}
	log, err := telemetry.NewLogger("adapter-simulator", st.LogLevel)
	if err != nil {
		return nil, err
	}
	reg := telemetry.NewRegistry()
	sim, err := New(Config{Rules: rules, Secrets: secrets, CallbackBaseURL: st.CallbackBaseURL, CallbackAttempts: st.CallbackAttempts}, log, reg)
	if err != nil {
		return nil, err
	}
	m := &Main{Sim: sim, Log: log, stop: st.ShutdownTimeout}
	if m.ln, err = net.Listen("tcp", st.Listen); err != nil {
		return nil, fmt.Errorf("listen %s: %w", st.Listen, err)
	}
	if m.admin, err = telemetry.ListenAdmin(st.AdminAddr, reg); err != nil {
		m.ln.Close()
		return nil, fmt.Errorf("admin listener %s: %w", st.AdminAddr, err)
	}
	m.server = &http.Server{Handler: sim, ReadHeaderTimeout: 5 * time.Second}
	if len(secrets) == 0 {
		log.Warn("no callback secrets: asynchronous scenarios cannot sign their callbacks", zap.String("env", callback.EnvSecrets))
	}
	log.Info("starting", zap.Strings("settings", summary), zap.String("listen", m.Addr()), zap.String("admin", m.admin.Addr()))
	return m, nil
}

// Addr is the bound partner/admin-routes address.
func (m *Main) Addr() string { return m.ln.Addr().String() }

// AdminAddr is the bound /metrics and /healthz address.
func (m *Main) AdminAddr() string { return m.admin.Addr() }

// Run serves until ctx ends. The simulator closes first so hanging requests and pending
// callbacks let go; then the server drains.
func (m *Main) Run(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- m.server.Serve(m.ln) }()
	m.admin.SetReady(true)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	m.admin.SetReady(false)
	m.Sim.Close()
	sctx, cancel := context.WithTimeout(context.Background(), m.stop)
	defer cancel()
	if err := m.server.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	m.Log.Info("stopped")
	return nil
}

// Close releases the admin listener and flushes the log.
func (m *Main) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = m.admin.Close(ctx)
	_ = m.Log.Sync()
}
