package outbox

import (
	"time"

	"github.com/orderfleet/orderfleet/internal/tracecontext"
	"github.com/segmentio/kafka-go"
)

// Header names on every published record, so consumers can route and trace without parsing the value.
const (
	HeaderTenantID      = "tenantId"
	HeaderCorrelationID = "correlationId"
	HeaderEventType     = "eventType"
	HeaderEventID       = "eventId"
	HeaderTraceParent   = tracecontext.Header
)

// WriterConfig describes the Kafka producer of the relay.
type WriterConfig struct {
	Brokers []string
	Topic   string
	// BatchSize caps the records of one produce request per partition; the relay's batch size fits.
	BatchSize int
	// Linger is how long a partly filled request waits for more records. The relay hands over a whole
	// batch in one call, and kafka-go adds a call's records to a partition's request under a lock, so
	// the default of 1µs still sends each call's records together, only without waiting.
	Linger time.Duration
}

// NewWriter returns the producer the relay uses: acks from all in-sync replicas, keys hashed with
// murmur2 so partitions match what Java producers would choose for the same key.
func NewWriter(c WriterConfig) *kafka.Writer {
	if c.BatchSize <= 0 {
		c.BatchSize = 1000
	}
	if c.Linger <= 0 {
		c.Linger = time.Microsecond
	}
	return &kafka.Writer{
		Addr:                   kafka.TCP(c.Brokers...),
		Topic:                  c.Topic,
		Balancer:               kafka.Murmur2Balancer{},
		RequiredAcks:           kafka.RequireAll,
		BatchSize:              c.BatchSize,
		BatchTimeout:           c.Linger,
		MaxAttempts:            3,
		WriteTimeout:           10 * time.Second,
		AllowAutoTopicCreation: true,
	}
}
