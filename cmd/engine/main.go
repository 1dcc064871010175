// Command engine is orderfleet's BPMN engine: it serves the Zeebe gateway gRPC protocol, the
// REST v2 routes and a management port, and keeps everything in PostgreSQL.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/camunda/zeebe/clients/go/v8/pkg/pb"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"google.golang.org/grpc"

	"github.com/orderfleet/orderfleet/internal/engine/gateway"
	"github.com/orderfleet/orderfleet/internal/engine/restapi"
	"github.com/orderfleet/orderfleet/internal/engine/store"
)

func main() {
	if err := run(); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "engine:", err)
		os.Exit(1)
	}
}

func run() error {
	cfg, err := ParseConfig(os.Args[1:], os.Getenv, os.Stderr)
	if err != nil {
		return err
	}
	log, err := newLogger(cfg.LogLevel)
	if err != nil {
		return err
	}
	defer log.Sync()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	m, err := Start(ctx, cfg, log)
	if err != nil {
		return err
	}
	return m.Run(ctx)
}

func newLogger(level string) (*zap.Logger, error) {
	var lvl zapcore.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: %q is not a level (debug, info, warn, error)", level)
	}
	zc := zap.NewProductionConfig()
	zc.Level = zap.NewAtomicLevelAt(lvl)
	zc.EncoderConfig.TimeKey = "ts"
	zc.EncoderConfig.EncodeTime = zapcore.ISO8601TimeEncoder
	return zc.Build()
}

// shutdownGrace is how long in-flight commands may take after SIGTERM.
const shutdownGrace = 10 * time.Second

// Main is a running engine: its servers, store and background work.
type Main struct {
	log      *zap.Logger
	pool     *pgxpool.Pool
	store    *store.Store
	grpc     *grpc.Server
	http     *http.Server
	mgmt     *http.Server
	grpcLis  net.Listener
	httpLis  net.Listener
	mgmtLis  net.Listener
	stopBG   context.CancelFunc
	bgDone   chan struct{}
	serveErr chan error
	closed   atomic.Bool
}

// Start connects (retrying for up to 30 s), migrates, and serves.
func Start(ctx context.Context, cfg Config, log *zap.Logger) (*Main, error) {
	log.Info("engine starting", zap.String("database", maskedURL(cfg.DatabaseURL)), zap.Bool("clockControlled", cfg.ClockControlled),
		zap.Int("maxCommandsInFlight", cfg.MaxCommandsInFlight))
	pool, err := connect(ctx, cfg.DatabaseURL, log)
	if err != nil {
		return nil, err
	}
	m := &Main{log: log, pool: pool, bgDone: make(chan struct{}), serveErr: make(chan error, 3)}
	if err := m.start(ctx, cfg); err != nil {
		m.Close()
		return nil, err
	}
	return m, nil
}

func connect(ctx context.Context, dbURL string, log *zap.Logger) (*pgxpool.Pool, error) {
	pc, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		return nil, fmt.Errorf("--database-url: %v", err)
	}
	pc.MaxConns = 24
	pc.MinConns = 4
	deadline := time.Now().Add(30 * time.Second)
	for {
		pool, err := pgxpool.NewWithConfig(ctx, pc)
		if err == nil {
			pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			err = pool.Ping(pctx)
			cancel()
			if err == nil {
				return pool, nil
			}
			pool.Close()
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return nil, fmt.Errorf("the database at %s is unreachable (gave up after 30 s): %v", maskedURL(dbURL), err)
		}
		log.Warn("database unreachable; retrying", zap.Error(err))
		time.Sleep(time.Second)
	}
}

func (m *Main) start(ctx context.Context, cfg Config) error {
	mctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := store.Migrate(mctx, m.pool); err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	st, err := store.New(ctx, store.Config{Pool: m.pool, Log: m.log, ClockControlled: cfg.ClockControlled, Metrics: store.NewMetrics(reg)})
	if err != nil {
		return err
	}
	m.store = st
	for _, l := range []struct {
		addr string
		dst  *net.Listener
		what string
	}{{cfg.GRPCAddr, &m.grpcLis, "--grpc-addr"}, {cfg.HTTPAddr, &m.httpLis, "--http-addr"}, {cfg.ManagementAddr, &m.mgmtLis, "--management-addr"}} {
		lis, err := net.Listen("tcp", l.addr)
		if err != nil {
			return fmt.Errorf("%s: %v", l.what, err)
		}
		*l.dst = lis
	}
	host, portText, _ := net.SplitHostPort(m.grpcLis.Addr().String())
	port, _ := strconv.Atoi(portText)
	gw := gateway.New(gateway.Config{Store: st, Log: m.log, MaxCommandsInFlight: cfg.MaxCommandsInFlight, Host: host, Port: int32(port)})
	m.grpc = grpc.NewServer()
	pb.RegisterGatewayServer(m.grpc, gw)
	ready := &atomic.Bool{}
	api := &restapi.API{Store: st, Log: m.log, Gatherer: reg, Ready: ready, Topology: func() any {
		t, _ := gw.Topology(context.Background(), &pb.TopologyRequest{})
		return restapi.TopologyV2(t)
	}}
	m.http = &http.Server{Handler: api.Public(), ReadHeaderTimeout: 10 * time.Second}
	m.mgmt = &http.Server{Handler: api.Management(), ReadHeaderTimeout: 10 * time.Second}

	bg, stopBG := context.WithCancel(context.Background())
	m.stopBG = stopBG
	go func() { st.RunBackground(bg); close(m.bgDone) }()
	go func() { m.serveErr <- m.grpc.Serve(m.grpcLis) }()
	go func() { m.serveErr <- m.http.Serve(m.httpLis) }()
	go func() { m.serveErr <- m.mgmt.Serve(m.mgmtLis) }()
	ready.Store(true)
	m.log.Info("engine ready", zap.String("grpc", m.GRPCAddr()), zap.String("http", m.HTTPAddr()),
		zap.String("management", m.ManagementAddr()))
	return nil
}

// GRPCAddr, HTTPAddr and ManagementAddr are the bound addresses (useful with port 0).
func (m *Main) GRPCAddr() string       { return m.grpcLis.Addr().String() }
func (m *Main) HTTPAddr() string       { return m.httpLis.Addr().String() }
func (m *Main) ManagementAddr() string { return m.mgmtLis.Addr().String() }

// Store is the engine's store.
func (m *Main) Store() *store.Store { return m.store }

// Run serves until ctx ends (SIGTERM) or a server fails, then shuts down.
func (m *Main) Run(ctx context.Context) error {
	var err error
	select {
	case <-ctx.Done():
		m.log.Info("shutting down")
	case err = <-m.serveErr:
		m.log.Error("a server stopped", zap.Error(err))
	}
	if cerr := m.Close(); err == nil {
		err = cerr
	}
	return err
}

// Close stops accepting, lets in-flight commands finish (up to 10 s), releases leadership and
// closes the database pool.
func (m *Main) Close() error {
	if m.closed.Swap(true) {
		return nil
	}
	deadline, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if m.grpc != nil {
		done := make(chan struct{})
		go func() { m.grpc.GracefulStop(); close(done) }()
		select {
		case <-done:
		case <-deadline.Done():
			m.grpc.Stop()
		}
	}
	for _, s := range []*http.Server{m.http, m.mgmt} {
		if s != nil {
			_ = s.Shutdown(deadline)
		}
	}
	for _, l := range []net.Listener{m.grpcLis, m.httpLis, m.mgmtLis} {
		if l != nil {
			_ = l.Close()
		}
	}
	if m.stopBG != nil {
		m.stopBG()
		<-m.bgDone
	}
	if m.store != nil {
		m.store.Wait()
	}
	m.pool.Close()
	m.log.Info("engine stopped")
	return nil
}
