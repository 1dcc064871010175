package worker

import (
	"context"
	"sync"
	"time"

	"go.uber.org/zap"
)

// Extender moves an activated job's timeout, so long work keeps its job instead of having the engine
// hand it to another worker. The v8.3 gRPC client cannot do this; engineapi.Jobs does it over REST v2.
type Extender interface {
	ExtendTimeout(ctx context.Context, jobKey int64, timeout time.Duration) error
}

// jobContext is a handler's context whose deadline follows the job's, including extensions.
type jobContext struct {
	context.Context
	mu       sync.Mutex
	deadline time.Time
}

func (c *jobContext) Deadline() (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.deadline, true
}

// withJobDeadline returns the handler's context. Without an extender it is a plain deadline; with
// one, a heartbeat extends the job at half of each period until the handler returns: the other half
// is the margin for a slow engine answer, which under load can take a second or more.
func (l *typeLoop) withJobDeadline(parent context.Context, job *Job) (context.Context, func()) {
	if l.h.cfg.Extender == nil {
		return context.WithDeadline(parent, job.Deadline)
	}
	inner, cancel := context.WithCancel(parent)
	ctx := &jobContext{Context: inner, deadline: job.Deadline}
	expire := time.AfterFunc(time.Until(job.Deadline), cancel)
	period := l.timeoutFor()
	var beat *time.Timer
	var mu sync.Mutex
	stopped := false
	var heartbeat func()
	heartbeat = func() {
		callCtx, cancelCall := context.WithTimeout(inner, 10*time.Second)
		err := l.h.cfg.Extender.ExtendTimeout(callCtx, job.Key, period)
		cancelCall()
		mu.Lock()
		defer mu.Unlock()
		if stopped {
			return
		}
		if err != nil {
			l.jobLogger(job).Warn("could not extend the job timeout; the job may be handed out again", zap.Error(err))
		} else {
			next := time.Now().Add(period)
			ctx.mu.Lock()
			ctx.deadline = next
			ctx.mu.Unlock()
			expire.Reset(time.Until(next))
		}
		beat = time.AfterFunc(period/2, heartbeat)
	}
	beat = time.AfterFunc(time.Until(job.Deadline)/2, heartbeat)
	return ctx, func() {
		mu.Lock()
		stopped = true
		beat.Stop()
		mu.Unlock()
		expire.Stop()
		cancel()
	}
}

func (l *typeLoop) timeoutFor() time.Duration {
	if l.reg.JobTimeout > 0 {
		return l.reg.JobTimeout
	}
	return l.h.cfg.JobTimeout
}
