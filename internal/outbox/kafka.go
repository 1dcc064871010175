package outbox

import (
	"time"

	"github.com/segmentio/kafka-go"
)

// Header names on every published record, so consumers can route and trace without parsing the value.
const (
	HeaderTenantID      = "tenantId"
	HeaderCorrelationID = "correlationId"
	HeaderEventType     = "eventType"
	HeaderEventID       = "eventId"
	HeaderTraceParent   = "traceparent"
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

// message turns a row into a record: the stored envelope is the value, byte for byte as PostgreSQL
// returns it, so the eventId consumers dedupe on is the one the OMS wrote.
func (r *Relay) message(b row) kafka.Message {
	key := b.AggregateID
	if r.cfg.Key == KeyMessageKey {
		key = b.MessageKey
	}
	headers := []kafka.Header{
		{Key: HeaderTenantID, Value: []byte(b.TenantID)},
		{Key: HeaderEventType, Value: []byte(b.EventType)},
		{Key: HeaderEventID, Value: []byte(b.ID)},
	}
	if b.CorrelationID != "" {
		headers = append(headers, kafka.Header{Key: HeaderCorrelationID, Value: []byte(b.CorrelationID)})
	}
	if b.TraceParent != "" {
		headers = append(headers, kafka.Header{Key: HeaderTraceParent, Value: []byte(b.TraceParent)})
	}
	return kafka.Message{Key: []byte(key), Value: []byte(b.Envelope), Headers: headers}
}
