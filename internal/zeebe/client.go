// Package zeebe wraps the Zeebe gRPC client (the v8.3 Go client against orderfleet's engine or a
// Camunda 8 cluster): dialing with TLS/OAuth settings and a readiness wait, deploying orderfleet's
// BPMN, and telling retryable gateway errors from the rest.
package zeebe

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/camunda/zeebe/clients/go/v8/pkg/zbc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// keepAlive is the gRPC keep-alive of every client.
const keepAlive = 30 * time.Second

// Dial connects to a plaintext gateway (the local engine) and waits until the topology answers.
func Dial(ctx context.Context, address string) (zbc.Client, error) {
	return DialConnection(ctx, Connection{Address: address})
}

// DialConnection connects as the connection says (TLS, OAuth) and waits until the topology
// answers or ctx ends, so a binary started beside a booting engine waits instead of failing its
// first commands.
func DialConnection(ctx context.Context, conn Connection) (zbc.Client, error) {
	cfg, err := conn.config()
	if err != nil {
		return nil, fmt.Errorf("zeebe connection %s: %w", conn, err)
	}
	address := conn.String()
	client, err := zbc.NewClient(cfg)
	if err != nil {
		return nil, fmt.Errorf("zeebe client for %s: %w", address, err)
	}
	var lastErr error
	for attempt := 0; ; attempt++ {
		reqCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_, lastErr = client.NewTopologyCommand().Send(reqCtx)
		cancel()
		if lastErr == nil {
			return client, nil
		}
		select {
		case <-ctx.Done():
			_ = client.Close()
			return nil, fmt.Errorf("zeebe gateway %s not reachable: %w", address, lastErr)
		case <-time.After(Backoff(attempt, 200*time.Millisecond, 5*time.Second)):
		}
	}
}

// IsBackpressure reports gateway answers that mean "try again later": the broker is overloaded
// (RESOURCE_EXHAUSTED) or not reachable right now (UNAVAILABLE, DEADLINE_EXCEEDED).
func IsBackpressure(err error) bool {
	switch status.Code(err) {
	case codes.ResourceExhausted, codes.Unavailable, codes.DeadlineExceeded:
		return true
	}
	return false
}

// IsNotFound reports that the job, instance or message target no longer exists on the broker,
// typically because another worker or a cancellation got there first.
func IsNotFound(err error) bool { return status.Code(err) == codes.NotFound }

// IsAlreadyExists reports a duplicate, such as a message published twice with one messageId.
func IsAlreadyExists(err error) bool { return status.Code(err) == codes.AlreadyExists }

// Backoff is capped exponential backoff: base·2^attempt, at most max, never negative.
func Backoff(attempt int, base, max time.Duration) time.Duration {
	if attempt < 0 {
		attempt = 0
	}
	d := base
	for i := 0; i < attempt && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	return d
}

// ErrNoResources is returned by Deploy when it is given nothing to deploy.
var ErrNoResources = errors.New("no BPMN resources to deploy")

// SendRetrying calls send until it succeeds or fails for a reason other than backpressure,
// at most attempts times, each call bounded by perCall. Only idempotent commands belong here
// (completing, failing or cancelling): a timed-out call may still have been applied, so the
// caller must accept the NOT_FOUND a repeat can then get.
func SendRetrying(ctx context.Context, attempts int, perCall time.Duration, send func(context.Context) error) error {
	var err error
	for attempt := 0; attempt < attempts; attempt++ {
		callCtx, cancel := context.WithTimeout(ctx, perCall)
		err = send(callCtx)
		cancel()
		if err == nil || !IsBackpressure(err) || attempt == attempts-1 {
			return err
		}
		timer := time.NewTimer(Backoff(attempt, 100*time.Millisecond, 2*time.Second))
		select {
		case <-ctx.Done():
			timer.Stop()
			return err
		case <-timer.C:
		}
	}
	return err
}
