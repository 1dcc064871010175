package worker

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/camunda/zeebe/clients/go/v8/pkg/zbc"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
	"google.golang.org/grpc/status"

	"github.com/orderfleet/orderfleet/internal/pollloop"
	"github.com/orderfleet/orderfleet/internal/zeebe"
)

// Config tunes the harness; every field applies to each job type on its own.
type Config struct {
	WorkerName     string
	MaxJobsActive  int           // jobs held at once (activated, queued or running)
	Concurrency    int           // handlers running at once
	PollInterval   time.Duration // pause after an empty long poll
	RequestTimeout time.Duration // long-poll duration of one activation request
	JobTimeout     time.Duration // how long the engine lets this worker hold a job
	DrainTimeout   time.Duration // how long running handlers may finish after shutdown starts
	Backoff        BackoffPolicy
	Classify       Classifier
	// Extender, when set, keeps long-running jobs from timing out while their handler works.
	Extender Extender
}

func (c *Config) setDefaults() {
	if c.WorkerName == "" {
		c.WorkerName = "orderfleet"
	}
	if c.MaxJobsActive <= 0 {
		c.MaxJobsActive = 32
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 8
	}
	if c.PollInterval <= 0 {
		c.PollInterval = 100 * time.Millisecond
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = 10 * time.Second
	}
	if c.JobTimeout <= 0 {
		c.JobTimeout = 5 * time.Minute
	}
	if c.DrainTimeout <= 0 {
		c.DrainTimeout = 30 * time.Second
	}
	if c.Backoff.Base <= 0 {
		c.Backoff = BackoffPolicy{Base: 2 * time.Second, Max: 2 * time.Minute, AssumedRetries: 3}
	}
}

// Validate reports settings that cannot work together.
func (c Config) Validate() error {
	switch {
	case c.Concurrency > c.MaxJobsActive:
		return fmt.Errorf("concurrency %d exceeds max jobs active %d: the extra handlers would never get a job", c.Concurrency, c.MaxJobsActive)
	case c.JobTimeout < time.Second:
		return fmt.Errorf("job timeout %v is under a second", c.JobTimeout)
	}
	return nil
}

// Harness runs job registrations against one Zeebe client.
type Harness struct {
	cfg     Config
	client  zbc.Client
	log     *zap.Logger
	metrics *metrics
	regs    []Registration
}

// New builds a harness. It registers its metrics on reg.
func New(cfg Config, client zbc.Client, log *zap.Logger, reg prometheus.Registerer, regs ...Registration) (*Harness, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if len(regs) == 0 {
		return nil, errors.New("worker harness: no job types to serve")
	}
	seen := map[string]bool{}
	for _, r := range regs {
		if r.JobType == "" || r.Handler == nil {
			return nil, errors.New("worker harness: registration without job type or handler")
		}
		if seen[r.JobType] {
			return nil, fmt.Errorf("worker harness: job type %q registered twice", r.JobType)
		}
		seen[r.JobType] = true
	}
	m := newMetrics(reg)
	for _, r := range regs {
		m.announce(r.JobType)
	}
	return &Harness{cfg: cfg, client: client, log: log, metrics: m, regs: regs}, nil
}

// Run serves until ctx is cancelled, then drains: it stops activating, hands back jobs it holds but
// has not started (so no job waits out its timeout), and gives running handlers DrainTimeout to finish.
func (h *Harness) Run(ctx context.Context) error {
	// Handlers run under workCtx, which outlives ctx by the drain timeout.
	workCtx, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()

	var wg sync.WaitGroup
	loops := make([]*typeLoop, 0, len(h.regs))
	for _, reg := range h.regs {
		l := &typeLoop{h: h, reg: reg, queue: make(chan *Job, h.cfg.MaxJobsActive), slots: make(chan struct{}, h.cfg.MaxJobsActive)}
		loops = append(loops, l)
		wg.Add(1)
		go func() { defer wg.Done(); l.run(ctx, workCtx) }()
	}
	h.log.Info("worker harness serving", zap.Strings("jobTypes", h.jobTypes()),
		zap.Int("maxJobsActive", h.cfg.MaxJobsActive), zap.Int("concurrency", h.cfg.Concurrency),
		zap.Duration("jobTimeout", h.cfg.JobTimeout))

	<-ctx.Done()
	h.log.Info("worker harness draining", zap.Duration("drainTimeout", h.cfg.DrainTimeout))
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		h.log.Info("worker harness drained")
		return nil
	case <-time.After(h.cfg.DrainTimeout):
		cancelWork()
		<-done
		return fmt.Errorf("worker harness: handlers still running after drain timeout %v were cancelled", h.cfg.DrainTimeout)
	}
}

func (h *Harness) jobTypes() []string {
	types := make([]string, len(h.regs))
	for i, r := range h.regs {
		types[i] = r.JobType
	}
	return types
}

// typeLoop is the poller and handler pool of one job type.
type typeLoop struct {
	h     *Harness
	reg   Registration
	queue chan *Job
	slots chan struct{} // one token per job held; bounds activation by MaxJobsActive
}

func (l *typeLoop) run(ctx, workCtx context.Context) {
	var handlers sync.WaitGroup
	for i := 0; i < l.h.cfg.Concurrency; i++ {
		handlers.Add(1)
		go func() {
			defer handlers.Done()
			for job := range l.queue {
				if ctx.Err() != nil {
					l.handBack(workCtx, job)
					continue
				}
				l.handle(workCtx, job)
			}
		}()
	}
	l.poll(ctx)
	close(l.queue)
	handlers.Wait()
}

func (l *typeLoop) poll(ctx context.Context) {
	failures := 0
	for ctx.Err() == nil {
		free := cap(l.slots) - len(l.slots)
		if free == 0 {
			select {
			case <-ctx.Done():
				return
			case <-time.After(l.h.cfg.PollInterval):
			}
			continue
		}
		jobs, err := l.activate(ctx, free)
		for _, e := range jobs {
			job, _ := newJob(e, l.timeoutFor())
			l.slots <- struct{}{}
			l.h.metrics.activated.WithLabelValues(l.reg.JobType).Inc()
			l.h.metrics.inFlight.WithLabelValues(l.reg.JobType).Inc()
			l.queue <- job
		}
		if err != nil && ctx.Err() == nil {
			failures++
			delay := zeebe.Backoff(failures, 250*time.Millisecond, 15*time.Second)
			l.h.metrics.pollErrors.WithLabelValues(l.reg.JobType, status.Code(err).String()).Inc()
			l.h.log.Warn("job activation failed; backing off", zap.String("jobType", l.reg.JobType),
				zap.Bool("backpressure", zeebe.IsBackpressure(err)), zap.Duration("backoff", delay), zap.Error(err))
			pollloop.Sleep(ctx, delay)
			continue
		}
		failures = 0
		if len(jobs) == 0 {
			pollloop.Sleep(ctx, l.h.cfg.PollInterval)
		}
	}
}

func (l *typeLoop) activate(ctx context.Context, max int) ([]entitiesJob, error) {
	reqCtx, cancel := context.WithTimeout(ctx, l.h.cfg.RequestTimeout)
	defer cancel()
	timeout := l.timeoutFor()
	cmd := l.h.client.NewActivateJobsCommand().JobType(l.reg.JobType).MaxJobsToActivate(int32(max)).
		Timeout(timeout).WorkerName(l.h.cfg.WorkerName)
	if len(l.reg.FetchVariables) > 0 {
		cmd = cmd.FetchVariables(l.reg.FetchVariables...)
	}
	jobs, err := cmd.Send(reqCtx)
	if err != nil && reqCtx.Err() != nil && ctx.Err() == nil {
		err = nil // the long poll simply ran its full length
	}
	return jobs, err
}
