package correlation

import (
	"context"
	"io"
	"net/url"
	"strconv"
	"time"

	"github.com/segmentio/kafka-go"
	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/app"
	"github.com/orderfleet/orderfleet/internal/config"
	"github.com/orderfleet/orderfleet/internal/kafkatopic"
)

// Binary names the correlation-router executable.
const Binary = "correlation-router"

// Settings are the correlation-router's flags and ORDERFLEET_* variables.
type Settings struct {
	app.Common
	Reader ReaderConfig
	Router Config
}

// ReaderConfig describes the router's Kafka consumer group.
type ReaderConfig struct {
	Brokers        []string
	Topics         []string
	Group          string
	SessionTimeout time.Duration // also the rebalance timeout: how long a dead member holds its partitions
	Layout         kafkatopic.Layout
}

// NewReader joins the consumer group. Offsets are committed by the router only (no auto-commit);
// a new group starts at the beginning of the topics, so no fact published before it is missed.
func NewReader(c ReaderConfig) *kafka.Reader {
	if c.SessionTimeout <= 0 {
		c.SessionTimeout = 10 * time.Second
	}
	return kafka.NewReader(kafka.ReaderConfig{
		Brokers:           c.Brokers,
		GroupID:           c.Group,
		GroupTopics:       c.Topics,
		StartOffset:       kafka.FirstOffset,
		MinBytes:          1,
		MaxBytes:          10 << 20,
		MaxWait:           250 * time.Millisecond,
		QueueCapacity:     1000,
		SessionTimeout:    c.SessionTimeout,
		RebalanceTimeout:  c.SessionTimeout,
		HeartbeatInterval: c.SessionTimeout / 5,
		ReadBackoffMin:    50 * time.Millisecond,
		ReadBackoffMax:    2 * time.Second,
		// A topic created after the router joined (or grown by partitions) is picked up by a rebalance.
		WatchPartitionChanges:  true,
		PartitionWatchInterval: 5 * time.Second,
	})
}

// NewSettings registers the settings.
func NewSettings() (*Settings, *config.Set) {
	st := &Settings{}
	s := config.New(Binary, "correlation-router consumes the fulfillment events from Kafka and publishes the routed ones to Zeebe\n"+
		"as messages, deduplicated through the inbox (inbox_event) and dead-lettering poison records (dead_letter).")
	st.Common.Register(s, "127.0.0.1:9112")
	k, r := &st.Reader, &st.Router
	s.List(&k.Brokers, "kafka-brokers", "ORDERFLEET_KAFKA_BROKERS", "127.0.0.1:19092", "Kafka bootstrap brokers, comma-separated")
	s.List(&k.Topics, "kafka-topics", "ORDERFLEET_KAFKA_TOPICS", "orderfleet.fulfillment.events", "topics to consume, comma-separated")
	s.String(&k.Group, "kafka-group", "ORDERFLEET_KAFKA_GROUP", "orderfleet-correlation-router", "Kafka consumer group; replicas share it")
	s.Duration(&k.SessionTimeout, "kafka-session-timeout", "ORDERFLEET_KAFKA_SESSION_TIMEOUT", 10*time.Second,
		"how long a silent group member keeps its partitions (also the rebalance timeout)")
	k.Layout.Register(s)
	s.String(&r.Consumer, "inbox-consumer", "ORDERFLEET_INBOX_CONSUMER", "correlation-router", "consumer name in inbox_event and dead_letter")
	s.Int(&r.Concurrency, "concurrency", "ORDERFLEET_ROUTER_CONCURRENCY", 32, "engine publishes in flight; four times as many records are handled at once (one key's records stay in order)")
	s.Duration(&r.MessageTTL, "message-ttl", "ORDERFLEET_MESSAGE_TTL", time.Hour,
		"how long Zeebe buffers a message until a process reaches its wait state; also how long the engine drops a repeated eventId")
	s.Duration(&r.CallTimeout, "call-timeout", "ORDERFLEET_ENGINE_CALL_TIMEOUT", 5*time.Second, "bound on one PublishMessage call")
	s.Duration(&r.CommitInterval, "commit-interval", "ORDERFLEET_KAFKA_COMMIT_INTERVAL", 200*time.Millisecond, "how often finished offsets are committed")
	s.Duration(&r.MaxBackoff, "max-backoff", "ORDERFLEET_MAX_BACKOFF", 30*time.Second, "longest pause between retries of one record")
	return st, s
}

// Main is the whole correlation-router binary; it returns the exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	st, settings := NewSettings()
	return app.Execute(args, stdout, stderr, settings, func(ctx context.Context) (app.Runner, func(), error) {
		if err := st.Router.Validate(); err != nil {
			return nil, nil, err
		}
		common := st.Common
		common.DatabaseURL = DatabaseURL(common.DatabaseURL, st.Router.Concurrency)
		deps, err := common.Open(ctx, Binary, true, true)
		if err != nil {
			return nil, nil, err
		}
		// The group must find its topics when it joins, or it gets no partitions (see kafkatopic).
		if err := kafkatopic.Prepare(ctx, common.StartupTimeout, st.Reader.Brokers, st.Reader.Layout, st.Reader.Topics...); err != nil {
			deps.Close()
			return nil, nil, err
		}
		reader := NewReader(st.Reader)
		router, err := New(st.Router, reader, deps.DB, deps.Engine, deps.Log, deps.Registry)
		if err != nil {
			_ = reader.Close()
			deps.Close()
			return nil, nil, err
		}
		deps.Log.Info("starting", zap.Strings("settings", settings.Summary()), zap.String("admin", deps.Admin.Addr()))
		closeAll := func() {
			_ = reader.Close() // leaves the group, so the partitions move on at once
			deps.Close()
		}
		return runner{router: router, deps: deps}, closeAll, nil
	})
}

type runner struct {
	router *Router
	deps   *app.Deps
}

func (r runner) Run(ctx context.Context) error {
	r.deps.Admin.SetReady(true)
	defer r.deps.Admin.SetReady(false)
	return r.router.Run(ctx)
}

// DatabaseURL tunes the router's database sessions, unless the URL chooses otherwise itself:
//   - pool_max_conns: the inbox work is batched on two sessions; workers writing dead letters take
//     their own.
//   - plan_cache_mode=force_generic_plan: the inbox statements take arrays whose length changes with
//     every batch, so PostgreSQL would plan each execution afresh, and at the small batches of a
//     light load planning costs more than the statement's work. The generic plan (one index probe
//     per entry) is the right one at every batch size.
//
// A key=value DSN is left as the operator wrote it.
func DatabaseURL(dbURL string, concurrency int) string {
	u, err := url.Parse(dbURL)
	if err != nil || u.Scheme == "" {
		return dbURL
	}
	q := u.Query()
	for key, value := range map[string]string{"pool_max_conns": strconv.Itoa(concurrency + 4), "plan_cache_mode": "force_generic_plan"} {
		if q.Get(key) == "" {
			q.Set(key, value)
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}
