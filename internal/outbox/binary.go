package outbox

import (
	"context"
	"fmt"
	"io"
	"time"

	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/app"
	"github.com/orderfleet/orderfleet/internal/config"
	"github.com/orderfleet/orderfleet/internal/kafkatopic"
)

// Binary names the outbox-relay executable.
const Binary = "outbox-relay"

// DefaultTopic is where the OMS's fulfillment facts go.
const DefaultTopic = "orderfleet.fulfillment.events"

// Settings are the outbox-relay's flags and ORDERFLEET_* variables.
type Settings struct {
	app.Common
	Brokers []string
	Topic   string
	Layout  kafkatopic.Layout
	Key     string
	// AfterPublish is "mark" or "delete".
	AfterPublish string
	Relay        Config
}

// NewSettings registers the settings. The relay needs no engine, so the Zeebe address is not offered.
func NewSettings() (*Settings, *config.Set) {
	st := &Settings{}
	s := config.New(Binary, "outbox-relay publishes committed outbox_event rows to Kafka, at least once, in position order, never passing a row whose transaction is still open.\n"+
		"One replica publishes (PostgreSQL advisory lock); others wait as standbys.")
	c := &st.Common
	s.Secret(&c.DatabaseURL, "database-url", "ORDERFLEET_DATABASE_URL", app.DefaultDatabaseURL, "PostgreSQL (the OMS) connection URL")
	s.String(&c.AdminAddr, "admin-addr", "ORDERFLEET_ADMIN_ADDR", "127.0.0.1:9111", "listener for /metrics, /healthz and /readyz")
	s.String(&c.LogLevel, "log-level", "ORDERFLEET_LOG_LEVEL", "info", "debug, info, warn or error")
	s.Duration(&c.StartupTimeout, "startup-timeout", "ORDERFLEET_STARTUP_TIMEOUT", time.Minute, "how long to wait for PostgreSQL at start")
	s.List(&st.Brokers, "kafka-brokers", "ORDERFLEET_KAFKA_BROKERS", "127.0.0.1:19092", "Kafka bootstrap brokers, comma-separated")
	s.String(&st.Topic, "kafka-topic", "ORDERFLEET_KAFKA_TOPIC", DefaultTopic, "topic the events are published to")
	st.Layout.Register(s)
	s.String(&st.Key, "kafka-key", "ORDERFLEET_OUTBOX_KAFKA_KEY", string(KeyAggregateID),
		"record key: aggregate-id (per-aggregate order) or message-key (the stored tenantId:orderId, per-order order)")
	r := &st.Relay
	s.Int(&r.BatchSize, "batch-size", "ORDERFLEET_OUTBOX_BATCH_SIZE", DefaultBatchSize, "rows read and published per round")
	s.Duration(&r.PollInterval, "poll-interval", "ORDERFLEET_OUTBOX_POLL_INTERVAL", 20*time.Millisecond, "pause after a round that found nothing")
	s.Duration(&r.LockRetry, "lock-retry", "ORDERFLEET_OUTBOX_LOCK_RETRY", 2*time.Second, "how often a standby replica tries to take over")
	s.Duration(&r.LagInterval, "lag-interval", "ORDERFLEET_OUTBOX_LAG_INTERVAL", 5*time.Second, "how often the lag gauges are refreshed")
	s.Duration(&r.PublishTimeout, "publish-timeout", "ORDERFLEET_OUTBOX_PUBLISH_TIMEOUT", 30*time.Second, "bound on one Kafka write, also while draining at shutdown")
	s.String(&st.AfterPublish, "after-publish", "ORDERFLEET_OUTBOX_AFTER_PUBLISH", "mark",
		"what happens to a published row: mark (kept as evidence, its batch recorded in outbox_publication) or delete (removed with that record, nothing kept)")
	s.Duration(&r.Retain, "retain", "ORDERFLEET_OUTBOX_RETAIN", 0,
		"with after-publish=mark, how long published rows are kept before the publisher deletes them (0: kept for good)")
	s.Duration(&r.MaxBackoff, "max-backoff", "ORDERFLEET_MAX_BACKOFF", 30*time.Second, "longest pause between retries when Kafka or PostgreSQL fails")
	return st, s
}

// Main is the whole outbox-relay binary; it returns the exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	st, settings := NewSettings()
	return app.Execute(args, stdout, stderr, settings, func(ctx context.Context) (app.Runner, func(), error) {
		st.Relay.Key = KeySource(st.Key)
		switch st.AfterPublish {
		case "mark", "delete":
			st.Relay.DeletePublished = st.AfterPublish == "delete"
		default:
			return nil, nil, fmt.Errorf("after-publish %q: want mark or delete", st.AfterPublish)
		}
		if err := st.Relay.Validate(); err != nil {
			return nil, nil, err
		}
		deps, err := st.Common.Open(ctx, Binary, true, false)
		if err != nil {
			return nil, nil, err
		}
		if err := kafkatopic.Prepare(ctx, st.StartupTimeout, st.Brokers, st.Layout, st.Topic); err != nil {
			deps.Close()
			return nil, nil, err
		}
		writer := NewWriter(WriterConfig{Brokers: st.Brokers, Topic: st.Topic, BatchSize: st.Relay.BatchSize})
		relay, err := New(st.Relay, deps.DB, writer, deps.Log, deps.Registry)
		if err != nil {
			deps.Close()
			return nil, nil, err
		}
		deps.Log.Info("starting", zap.Strings("settings", settings.Summary()), zap.String("admin", deps.Admin.Addr()))
		closeAll := func() {
			_ = writer.Close()
			deps.Close()
		}
		return runner{relay: relay, deps: deps}, closeAll, nil
	})
}

type runner struct {
	relay *Relay
	deps  *app.Deps
}

// Run reports ready while relaying: a standby is ready too, it is doing its job by waiting.
func (r runner) Run(ctx context.Context) error {
	r.deps.Admin.SetReady(true)
	defer r.deps.Admin.SetReady(false)
	return r.relay.Run(ctx)
}
