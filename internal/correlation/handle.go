package correlation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"
	"go.uber.org/zap"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/failpoint"
	"github.com/orderfleet/orderfleet/internal/pollloop"
	"github.com/orderfleet/orderfleet/internal/telemetry"
	"github.com/orderfleet/orderfleet/internal/zeebe"
)

// Failpoints for crash tests.
const (
	// FailpointAfterPublish: the engine has the message, the inbox does not have the event yet.
	FailpointAfterPublish = "router-after-publish-before-commit"
	// FailpointAfterCommit: the inbox has the event as PROCESSED, the Kafka offset is not committed.
	FailpointAfterCommit = "router-after-commit-before-offset"
)

// Outcomes of a record, the label of orderfleet_router_records_total.
const (
	OutcomeCorrelated   = "correlated"
	OutcomeDuplicate    = "duplicate"
	OutcomeIgnored      = "ignored"
	OutcomeDeadLettered = "dead_lettered"
)

// process handles one record until it is finished, retrying database and engine failures with
// backoff. It gives up only when ctx ends; the record then stays uncommitted.
func (r *Router) process(ctx context.Context, m kafka.Message) bool {
	for attempt := 0; ; attempt++ {
		// One attempt under way is not cut short by shutdown; only the retries stop.
		callCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.cfg.CallTimeout+5*time.Second)
		start := time.Now()
		outcome, err := r.handle(callCtx, m)
		cancel()
		if err == nil {
			r.m.outcomes.WithLabelValues(outcome).Inc()
			r.m.duration.WithLabelValues(outcome).Observe(time.Since(start).Seconds())
			return true
		}
		stage := "database"
		if errors.Is(err, errEngine) {
			stage = "engine"
		}
		r.m.failures.WithLabelValues(stage).Inc()
		delay := zeebe.Backoff(attempt, 100*time.Millisecond, r.cfg.MaxBackoff)
		r.log.Warn("record not handled; retrying the same record", zap.String("topic", m.Topic), zap.Int("partition", m.Partition),
			zap.Int64("offset", m.Offset), zap.Int("attempt", attempt+1), zap.Duration("backoff", delay), zap.Error(err))
		if ctx.Err() != nil {
			return false
		}
		pollloop.Sleep(ctx, delay)
		if ctx.Err() != nil {
			return false
		}
	}
}

var errEngine = errors.New("engine")

// handle runs one attempt and names its outcome; an error means "try the same record again".
func (r *Router) handle(ctx context.Context, m kafka.Message) (string, error) {
	e, bad := parseEnvelope(m.Value)
	if bad != nil {
		return OutcomeDeadLettered, r.deadLetter(ctx, m, e.TenantID, bad)
	}
	route, ok := r.routes[e.EventType]
	if !ok {
		return OutcomeIgnored, nil // most facts on the topic are for other consumers
	}
	msg, err := route.Resolve(e)
	if err != nil {
		return OutcomeDeadLettered, r.deadLetter(ctx, m, e.TenantID, &poison{ReasonUnroutable, err.Error()})
	}
	return r.correlate(ctx, m, e, msg)
}

// correlate looks the eventId up in the inbox, publishes, then records the correlation and the inbox
// row as PROCESSED; the look-up and the record are each batched with other records' (see groupCommit).
func (r *Router) correlate(ctx context.Context, m kafka.Message, e domain.Event, msg Message) (string, error) {
	receivedAt := time.Now()
	check := &inboxCheck{tenantID: e.TenantID, messageID: e.EventID}
	if err := r.checks.do(ctx, check); err != nil {
		return "", err
	}
	if check.processed {
		return OutcomeDuplicate, nil // an earlier delivery finished it
	}

	if err := r.publish(ctx, msg); err != nil {
		if status.Code(err) == codes.InvalidArgument { // the engine will never take it: file it, move on
			return OutcomeDeadLettered, r.deadLetter(ctx, m, e.TenantID, &poison{ReasonEngineRejection, err.Error()})
		}
		return "", fmt.Errorf("%w: publish %s: %w", errEngine, msg.Name, err)
	}
	failpoint.Crash(FailpointAfterPublish)
	if err := r.finishes.do(ctx, newInboxFinish(m, e, msg, receivedAt)); err != nil {
		return "", err
	}
	failpoint.Crash(FailpointAfterCommit)
	r.log.Debug("message published", zap.String(telemetry.FieldTenantID, e.TenantID), zap.String(telemetry.FieldOrderID, msg.OrderID),
		zap.String(telemetry.FieldCorrelationID, e.CorrelationID), zap.String("eventId", e.EventID),
		zap.String("messageName", msg.Name), zap.String("correlationKey", msg.CorrelationKey))
	return OutcomeCorrelated, nil
}

// publish sends the message; ALREADY_EXISTS means an earlier attempt got through, which is success.
func (r *Router) publish(ctx context.Context, msg Message) error {
	cmd, err := r.engine.NewPublishMessageCommand().MessageName(msg.Name).CorrelationKey(msg.CorrelationKey).
		MessageId(msg.MessageID).TimeToLive(r.cfg.MessageTTL).VariablesFromMap(msg.Variables)
	if err != nil {
		return status.Error(codes.InvalidArgument, err.Error())
	}
	callCtx, cancel := context.WithTimeout(ctx, r.cfg.CallTimeout)
	defer cancel()
	select {
	case r.publishing <- struct{}{}:
	case <-callCtx.Done():
		return callCtx.Err()
	}
	_, err = cmd.Send(callCtx)
	<-r.publishing
	if zeebe.IsAlreadyExists(err) {
		r.m.engineDuplicates.Inc()
		return nil
	}
	return err
}
