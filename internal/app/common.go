// Package app wires orderfleet's binaries: configuration, logger, database pool, Zeebe client,
// admin listener and graceful shutdown. Each cmd/*/main.go only names its binary and calls in here,
// and the end-to-end tests build the same Main values in-process.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/camunda/zeebe/clients/go/v8/pkg/zbc"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/config"
	"github.com/orderfleet/orderfleet/internal/telemetry"
	"github.com/orderfleet/orderfleet/internal/zeebe"
)

// Common holds the settings every long-running binary has.
type Common struct {
	DatabaseURL  string
	ZeebeAddress string
	// Zeebe holds the rest of the gateway connection (TLS, OAuth) for a licensed Camunda 8;
	// its Address is ZeebeAddress.
	Zeebe           zeebe.Connection
	AdminAddr       string
	LogLevel        string
	StartupTimeout  time.Duration
	ShutdownTimeout time.Duration
}

// DefaultDatabaseURL points at the local stack's PostgreSQL.
const DefaultDatabaseURL = "postgres://orderfleet:orderfleet@127.0.0.1:15432/orderfleet?sslmode=disable"

// Register adds the common settings to a set; adminAddr is the binary's own default listener.
func (c *Common) Register(s *config.Set, adminAddr string) {
	s.Secret(&c.DatabaseURL, "database-url", "ORDERFLEET_DATABASE_URL", DefaultDatabaseURL, "PostgreSQL (the OMS) connection URL")
	s.String(&c.ZeebeAddress, "zeebe-address", "ORDERFLEET_ZEEBE_ADDRESS", "127.0.0.1:26500", "Zeebe gateway gRPC address (orderfleet's engine, or a Camunda 8 gateway)")
	RegisterZeebeConnection(s, &c.Zeebe)
	s.String(&c.AdminAddr, "admin-addr", "ORDERFLEET_ADMIN_ADDR", adminAddr, "listener for /metrics, /healthz and /readyz")
	s.String(&c.LogLevel, "log-level", "ORDERFLEET_LOG_LEVEL", "info", "debug, info, warn or error")
	s.Duration(&c.StartupTimeout, "startup-timeout", "ORDERFLEET_STARTUP_TIMEOUT", time.Minute, "how long to wait for PostgreSQL and Zeebe at start")
	s.Duration(&c.ShutdownTimeout, "shutdown-timeout", "ORDERFLEET_SHUTDOWN_TIMEOUT", 30*time.Second, "how long in-flight work may finish after SIGTERM")
}

// RegisterZeebeConnection adds the settings a Camunda 8 cluster needs beyond its address; the
// local engine needs none of them. The client secret is masked in --help and the start-up log.
func RegisterZeebeConnection(s *config.Set, z *zeebe.Connection) {
	s.Bool(&z.TLS, "zeebe-tls", "ORDERFLEET_ZEEBE_TLS", false, "use TLS to the gateway (Camunda 8 SaaS and most Self-Managed setups)")
	s.String(&z.CAFile, "zeebe-ca-file", "ORDERFLEET_ZEEBE_CA_FILE", "", "PEM file of a private CA the gateway's certificate chains to (empty: system roots)")
	s.String(&z.ClientID, "zeebe-client-id", "ORDERFLEET_ZEEBE_CLIENT_ID", "", "OAuth client id (empty: no OAuth)")
	s.Secret(&z.ClientSecret, "zeebe-client-secret", "ORDERFLEET_ZEEBE_CLIENT_SECRET", "", "OAuth client secret")
	s.String(&z.AuthorizationServerURL, "zeebe-authorization-server-url", "ORDERFLEET_ZEEBE_AUTHORIZATION_SERVER_URL", "", "OAuth token endpoint, e.g. https://login.cloud.camunda.io/oauth/token")
	s.String(&z.Audience, "zeebe-token-audience", "ORDERFLEET_ZEEBE_TOKEN_AUDIENCE", "", "OAuth audience of the token, e.g. zeebe.camunda.io")
}

// Connection is the gateway connection the settings describe.
func (c Common) Connection() zeebe.Connection {
	conn := c.Zeebe
	conn.Address = c.ZeebeAddress
	return conn
}

// Deps are the connections a binary opened; Close releases them in reverse order.
type Deps struct {
	Log      *zap.Logger
	DB       *pgxpool.Pool
	Engine   zbc.Client
	Registry *prometheus.Registry
	Admin    *telemetry.Admin
}

// Open connects what a binary needs, waiting up to StartupTimeout for each dependency.
func (c Common) Open(ctx context.Context, service string, needDB, needEngine bool) (*Deps, error) {
	log, err := telemetry.NewLogger(service, c.LogLevel)
	if err != nil {
		return nil, err
	}
	d := &Deps{Log: log, Registry: telemetry.NewRegistry()}
	startCtx, cancel := context.WithTimeout(ctx, c.StartupTimeout)
	defer cancel()
	if needDB {
		if d.DB, err = OpenDB(startCtx, c.DatabaseURL); err != nil {
			d.Close()
			return nil, err
		}
	}
	if needEngine {
		if d.Engine, err = zeebe.DialConnection(startCtx, c.Connection()); err != nil {
			d.Close()
			return nil, err
		}
	}
	if d.Admin, err = telemetry.ListenAdmin(c.AdminAddr, d.Registry); err != nil {
		d.Close()
		return nil, fmt.Errorf("admin listener %s: %w", c.AdminAddr, err)
	}
	return d, nil
}

// OpenDB opens a pool and waits until the server answers.
func OpenDB(ctx context.Context, url string) (*pgxpool.Pool, error) {
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("database URL %s: %w", config.Mask(url), err)
	}
	for attempt := 0; ; attempt++ {
		if err = pool.Ping(ctx); err == nil {
			return pool, nil
		}
		select {
		case <-ctx.Done():
			pool.Close()
			return nil, fmt.Errorf("database %s not reachable: %w", config.Mask(url), err)
		case <-time.After(zeebe.Backoff(attempt, 200*time.Millisecond, 3*time.Second)):
		}
	}
}

// Close releases everything Open acquired.
func (d *Deps) Close() {
	if d.Admin != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = d.Admin.Close(ctx)
		cancel()
	}
	if d.Engine != nil {
		_ = d.Engine.Close()
	}
	if d.DB != nil {
		d.DB.Close()
	}
	if d.Log != nil {
		_ = d.Log.Sync()
	}
}

// Runner is a binary's main loop: it returns when ctx is cancelled and its work has drained.
type Runner interface {
	Run(ctx context.Context) error
}

// Execute is the body of every main: it parses settings, builds the runner, runs it until SIGINT or
// SIGTERM, and turns the result into an exit code (0 ok or help, 2 bad usage, 1 failure).
func Execute(args []string, stdout, stderr io.Writer, settings *config.Set, build func(ctx context.Context) (Runner, func(), error)) int {
	if err := settings.Parse(args, stdout); err != nil {
		if errors.Is(err, config.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "error: %v\n", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	runner, closeFn, err := build(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return 1
	}
	defer closeFn()
	if err := runner.Run(ctx); err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return 1
	}
	return 0
}

// Exit is os.Exit, kept as a variable so mains read as one line.
var Exit = os.Exit
