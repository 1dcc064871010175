package worker

import (
	"context"
	"time"

	"github.com/camunda/zeebe/clients/go/v8/pkg/entities"
	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/telemetry"
	"github.com/orderfleet/orderfleet/internal/zeebe"
)

type entitiesJob = entities.Job

// handle runs one job under its deadline and sends the one command its outcome maps to.
func (l *typeLoop) handle(workCtx context.Context, job *Job) {
	defer l.release()
	ctx, cancel := l.withJobDeadline(workCtx, job)
	defer cancel()

	start := time.Now()
	result, err := l.safeHandle(ctx, job)
	act := decide(result, err, job.Retries, l.h.cfg.Classify, l.h.cfg.Backoff)
	elapsed := time.Since(start)

	log := l.jobLogger(job).With(zap.Int64(telemetry.FieldDurationMs, elapsed.Milliseconds()), zap.String("outcome", act.outcome))
	sendErr := l.send(workCtx, job, act)
	outcome := act.outcome
	if sendErr != nil {
		outcome = "lost"
		if zeebe.IsNotFound(sendErr) {
			log.Warn("job no longer exists on the broker (timed out, cancelled or finished elsewhere); result already persisted", zap.Error(sendErr))
		} else {
			log.Error("could not report the job outcome; the engine will hand the job out again after its timeout", zap.Error(sendErr))
		}
	}
	switch act.outcome {
	case "completed":
		log.Info("job completed")
	case "parked":
		log.Info("job parked until its decision arrives", zap.Time("jobDeadline", job.Deadline))
	case "business_error":
		log.Info("job ended with a business error", zap.String("errorCode", act.code), zap.String("reason", act.message))
	case "retry":
		log.Warn("job failed; the engine will retry", zap.Int32("retriesLeft", act.retries), zap.Duration("backoff", act.backoff), zap.String("reason", act.message))
	case "incident":
		l.h.metrics.incidents.WithLabelValues(job.Type).Inc()
		log.Error("job failed with no retries left; incident raised", zap.String("reason", act.message))
	}
	l.h.metrics.handled.WithLabelValues(job.Type, outcome).Inc()
	l.h.metrics.duration.WithLabelValues(job.Type, act.outcome).Observe(elapsed.Seconds())
}

// safeHandle turns a handler panic into bad data: a panic is a bug, and retrying it loops.
func (l *typeLoop) safeHandle(ctx context.Context, job *Job) (res Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = BadDataRunbookf(RunbookHandlerPanic, "handler panicked: %v", p)
		}
	}()
	return l.reg.Handler(ctx, job)
}

// outcomeAttempts spans about 15 s of capped backoff, so a result outlives an engine restart
// (2–4 s measured) instead of waiting out the job's timeout (5 min by default) to be redone.
const outcomeAttempts = 12

// send reports the outcome, retrying on backpressure and outages; the result is already persisted,
// so resending is safe.
func (l *typeLoop) send(ctx context.Context, job *Job, act action) error {
	return zeebe.SendRetrying(ctx, outcomeAttempts, 10*time.Second, func(ctx context.Context) error {
		return l.sendOnce(ctx, job, act)
	})
}

func (l *typeLoop) sendOnce(ctx context.Context, job *Job, act action) error {
	c := l.h.client
	switch act.kind {
	case actionPark:
		return nil
	case actionComplete:
		cmd := c.NewCompleteJobCommand().JobKey(job.Key)
		if len(act.variables) > 0 {
			dispatch, err := cmd.VariablesFromMap(act.variables)
			if err != nil {
				return err
			}
			_, err = dispatch.Send(ctx)
			return err
		}
		_, err := cmd.Send(ctx)
		return err
	case actionThrow:
		cmd := c.NewThrowErrorCommand().JobKey(job.Key).ErrorCode(act.code).ErrorMessage(act.message)
		if len(act.variables) > 0 {
			dispatch, err := cmd.VariablesFromMap(act.variables)
			if err != nil {
				return err
			}
			_, err = dispatch.Send(ctx)
			return err
		}
		_, err := cmd.Send(ctx)
		return err
	default:
		_, err := c.NewFailJobCommand().JobKey(job.Key).Retries(act.retries).RetryBackoff(act.backoff).
			ErrorMessage(act.message).Send(ctx)
		return err
	}
}

// handBack returns a job that was activated but never started, keeping its retries, so another
// worker can take it at once instead of waiting for the job timeout.
func (l *typeLoop) handBack(ctx context.Context, job *Job) {
	defer l.release()
	reqCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_, err := l.h.client.NewFailJobCommand().JobKey(job.Key).Retries(job.Retries).
		ErrorMessage("worker shutting down; job returned unstarted").Send(reqCtx)
	if err != nil {
		l.jobLogger(job).Warn("could not hand back an unstarted job; it returns after its timeout", zap.Error(err))
	}
	l.h.metrics.handled.WithLabelValues(job.Type, "returned").Inc()
}

func (l *typeLoop) release() {
	<-l.slots
	l.h.metrics.inFlight.WithLabelValues(l.reg.JobType).Dec()
}

func (l *typeLoop) jobLogger(job *Job) *zap.Logger {
	ids := job.ids()
	fields := []zap.Field{
		zap.String(telemetry.FieldJobType, job.Type),
		zap.Int64("jobKey", job.Key),
		zap.Int64(telemetry.FieldProcessInstanceKey, job.ProcessInstanceKey),
		zap.String("elementId", job.ElementID),
	}
	for _, kv := range [][2]string{
		{telemetry.FieldTenantID, ids.TenantID}, {telemetry.FieldCorrelationID, ids.CorrelationID},
		{telemetry.FieldOrderID, ids.OrderID}, {telemetry.FieldFulfillmentPlanID, ids.FulfillmentPlanID},
		{telemetry.FieldExecutionID, ids.ExecutionID}, {telemetry.FieldFulfillmentTaskID, ids.CurrentTaskID},
	} {
		if kv[1] != "" {
			fields = append(fields, zap.String(kv[0], kv[1]))
		}
	}
	return l.h.log.With(fields...)
}
