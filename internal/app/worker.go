package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/config"
	"github.com/orderfleet/orderfleet/internal/engineapi"
	"github.com/orderfleet/orderfleet/internal/worker"
)

// WorkerBinary describes one worker binary of the fleet.
type WorkerBinary struct {
	Name      string
	About     string
	AdminAddr string
	// JobTypes are served by default; --job-types narrows them so one type can be scaled alone.
	JobTypes []string
	// Background, when set, runs beside the harness for the binary's lifetime (e.g. a release loop).
	Background func(d *Deps) Runner
}

// HandlerSource builds the job registrations from the opened dependencies and the settings.
type HandlerSource func(d *Deps, ws *WorkerSettings) ([]worker.Registration, error)

// WorkerSettings are the settings of a worker binary.
type WorkerSettings struct {
	Common
	JobTypes []string
	Harness  worker.Config
	// ZeebeRESTURL reaches the REST v2 job route, used to extend long jobs' timeouts; the token is
	// for a Camunda 8 REST API reached without OAuth settings.
	ZeebeRESTURL, ZeebeRESTToken string
	// AdapterURL is where the external systems (or the adapter simulator) answer.
	AdapterURL     string
	AdapterTimeout time.Duration
}

// NewWorkerSettings registers a worker binary's settings.
func NewWorkerSettings(bin WorkerBinary) (*WorkerSettings, *config.Set) {
	ws := &WorkerSettings{}
	s := config.New(bin.Name, bin.About+"\n\nJob types: "+strings.Join(bin.JobTypes, ", "))
	ws.Common.Register(s, bin.AdminAddr)
	h := &ws.Harness
	s.List(&ws.JobTypes, "job-types", "ORDERFLEET_JOB_TYPES", strings.Join(bin.JobTypes, ","), "job types to serve (a subset of the binary's types)")
	s.String(&h.WorkerName, "worker-name", "ORDERFLEET_WORKER_NAME", bin.Name, "worker name the engine records on activated jobs")
	s.Int(&h.MaxJobsActive, "max-jobs-active", "ORDERFLEET_MAX_JOBS_ACTIVE", 32, "jobs held at once per job type")
	s.Int(&h.Concurrency, "concurrency", "ORDERFLEET_CONCURRENCY", 8, "handlers running at once per job type")
	s.Duration(&h.PollInterval, "poll-interval", "ORDERFLEET_POLL_INTERVAL", 100*time.Millisecond, "pause after an empty long poll")
	s.Duration(&h.RequestTimeout, "request-timeout", "ORDERFLEET_REQUEST_TIMEOUT", 10*time.Second, "long-poll length of one activation request")
	s.Duration(&h.JobTimeout, "job-timeout", "ORDERFLEET_JOB_TIMEOUT", 5*time.Minute, "how long the engine lets this worker hold a job")
	s.Duration(&h.DrainTimeout, "drain-timeout", "ORDERFLEET_DRAIN_TIMEOUT", 30*time.Second, "how long running jobs may finish after SIGTERM")
	s.String(&ws.ZeebeRESTURL, "zeebe-rest-url", "ORDERFLEET_ZEEBE_REST_URL", "http://127.0.0.1:8080", "the engine's REST v2 API, for job timeout extension (empty turns extension off)")
	s.Secret(&ws.ZeebeRESTToken, "zeebe-rest-token", "ORDERFLEET_ZEEBE_REST_TOKEN", "", "bearer token for the REST v2 API (empty: none, or the OAuth token when OAuth is set)")
	s.String(&ws.AdapterURL, "adapter-url", "ORDERFLEET_ADAPTER_URL", "http://127.0.0.1:9180", "base URL of the external systems' adapter endpoint (the adapter simulator locally)")
	s.Duration(&ws.AdapterTimeout, "adapter-timeout", "ORDERFLEET_ADAPTER_TIMEOUT", 10*time.Second, "timeout of one call to an external system")
	return ws, s
}

// RunWorker is the whole main of a worker binary.
func RunWorker(bin WorkerBinary, handlers HandlerSource, args []string, stdout, stderr io.Writer) int {
	ws, settings := NewWorkerSettings(bin)
	return Execute(args, stdout, stderr, settings, func(ctx context.Context) (Runner, func(), error) {
		m, err := ws.Open(ctx, bin, handlers, settings.Summary())
		if err != nil {
			return nil, nil, err
		}
		return m, m.Close, nil
	})
}

// WorkerMain is a running worker binary; tests build it in-process the same way main does.
type WorkerMain struct {
	Deps       *Deps
	harness    *worker.Harness
	background Runner
}

// Open connects and builds the harness for the selected job types.
func (ws *WorkerSettings) Open(ctx context.Context, bin WorkerBinary, handlers HandlerSource, summary []string) (*WorkerMain, error) {
	for _, t := range ws.JobTypes {
		if !slices.Contains(bin.JobTypes, t) {
			return nil, fmt.Errorf("%s does not serve job type %q; it serves: %s", bin.Name, t, strings.Join(bin.JobTypes, ", "))
		}
	}
	deps, err := ws.Common.Open(ctx, bin.Name, true, true)
	if err != nil {
		return nil, err
	}
	all, err := handlers(deps, ws)
	if err != nil {
		deps.Close()
		return nil, err
	}
	var regs []worker.Registration
	for _, r := range all {
		if slices.Contains(ws.JobTypes, r.JobType) {
			regs = append(regs, r)
		}
	}
	cfg := ws.Harness
	cfg.Classify = ClassifyDomainError
	if ws.ZeebeRESTURL != "" {
		// With OAuth set, the REST calls carry the gRPC client's token; else the static one, if any.
		var creds engineapi.Credentials = engineapi.BearerToken(ws.ZeebeRESTToken)
		if oauth, err := ws.Connection().Credentials(); err != nil {
			deps.Close()
			return nil, err
		} else if oauth != nil {
			creds = oauth
		}
		cfg.Extender = engineapi.NewJobs(engineapi.New(ws.ZeebeRESTURL, creds))
	}
	h, err := worker.New(cfg, deps.Engine, deps.Log, deps.Registry, regs...)
	if err != nil {
		deps.Close()
		return nil, err
	}
	deps.Log.Info("starting", zap.Strings("settings", summary), zap.String("admin", deps.Admin.Addr()))
	m := &WorkerMain{Deps: deps, harness: h}
	if bin.Background != nil {
		m.background = bin.Background(deps)
	}
	return m, nil
}

// Run serves jobs until ctx ends, then drains.
func (m *WorkerMain) Run(ctx context.Context) error {
	m.Deps.Admin.SetReady(true)
	defer m.Deps.Admin.SetReady(false)
	if m.background == nil {
		return m.harness.Run(ctx)
	}
	done := make(chan error, 1)
	go func() { done <- m.background.Run(ctx) }()
	err := m.harness.Run(ctx)
	return errors.Join(err, <-done)
}

// Close releases the connections.
func (m *WorkerMain) Close() { m.Deps.Close() }
