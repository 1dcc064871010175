package app

import (
	"context"
	"io"
	"time"

	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/config"
	"github.com/orderfleet/orderfleet/internal/startrelay"
)

// StartRelaySettings are the settings of the workflow-start relay.
type StartRelaySettings struct {
	Common
	Relay startrelay.Config
}

// NewStartRelaySettings registers the relay's settings.
func NewStartRelaySettings() (*StartRelaySettings, *config.Set) {
	rs := &StartRelaySettings{}
	s := config.New("workflow-start-relay", `workflow-start-relay starts order-fulfillment-v1 for each committed workflow_start_request
row (FOR UPDATE SKIP LOCKED, so several replicas share the work) and records the instance in
order_workflow_ref. When the engine is down it backs off; requests wait, none is dropped.`)
	rs.Common.Register(s, "127.0.0.1:9110")
	s.Int(&rs.Relay.BatchSize, "batch-size", "ORDERFLEET_START_BATCH_SIZE", 16, "start requests claimed per transaction")
	s.Duration(&rs.Relay.PollInterval, "poll-interval", "ORDERFLEET_START_POLL_INTERVAL", 250*time.Millisecond, "pause when no request is due")
	s.Duration(&rs.Relay.MaxBackoff, "max-backoff", "ORDERFLEET_START_MAX_BACKOFF", time.Minute, "longest wait between retries of one request")
	return rs, s
}

// StartRelayMain is a running relay.
type StartRelayMain struct {
	Deps  *Deps
	relay *startrelay.Relay
}

// Open connects the relay.
func (rs *StartRelaySettings) Open(ctx context.Context, summary []string) (*StartRelayMain, error) {
	deps, err := rs.Common.Open(ctx, "workflow-start-relay", true, true)
	if err != nil {
		return nil, err
	}
	deps.Log.Info("starting", zap.Strings("settings", summary), zap.String("admin", deps.Admin.Addr()))
	return &StartRelayMain{Deps: deps, relay: startrelay.New(rs.Relay, deps.DB, deps.Engine, deps.Log, deps.Registry)}, nil
}

// Run relays until ctx ends.
func (m *StartRelayMain) Run(ctx context.Context) error {
	m.Deps.Admin.SetReady(true)
	defer m.Deps.Admin.SetReady(false)
	return m.relay.Run(ctx)
}

// Close releases the connections.
func (m *StartRelayMain) Close() { m.Deps.Close() }

// RunStartRelay is the whole main of the relay binary.
func RunStartRelay(args []string, stdout, stderr io.Writer) int {
	rs, settings := NewStartRelaySettings()
	return Execute(args, stdout, stderr, settings, func(ctx context.Context) (Runner, func(), error) {
		m, err := rs.Open(ctx, settings.Summary())
		if err != nil {
			return nil, nil, err
		}
		return m, m.Close, nil
	})
}
