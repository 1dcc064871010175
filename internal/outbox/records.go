package outbox

import (
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/segmentio/kafka-go"
)

// selectRange reads the rows after the cursor up to the horizon, in position order, which the
// unique index on position returns without a sort. The column order is what readRecords expects.
const selectRange = `
	select id::text, position, created_at, tenant_id, event_type, aggregate_id, message_key,
	       correlation_id, traceparent, envelope
	from outbox_event
	where position > $1 and position <= $2
	order by position
	limit $3`

// batch is a run of outbox rows, already shaped as Kafka records.
type batch struct {
	msgs      []kafka.Message
	positions []int64
	created   []time.Time
}

func (b *batch) len() int { return len(b.msgs) }

// last is the position of the batch's last row.
func (b *batch) last() int64 { return b.positions[len(b.positions)-1] }

// prefix is the first n rows.
func (b *batch) prefix(n int) *batch {
	return &batch{msgs: b.msgs[:n], positions: b.positions[:n], created: b.created[:n]}
}

// maxHeaders is the headers one record can carry.
const maxHeaders = 5

// readRecords turns the rows into records as they arrive. Each value is copied once, into a shared
// buffer, and the record points into it: the envelope is sent byte for byte as the OMS wrote it, so
// the eventId consumers dedupe on is the one in the OMS.
func readRecords(rows pgx.Rows, key KeySource, capacity int) (*batch, error) {
	defer rows.Close()
	b := &batch{
		msgs:      make([]kafka.Message, 0, capacity),
		positions: make([]int64, 0, capacity),
		created:   make([]time.Time, 0, capacity),
	}
	headers := make([]kafka.Header, 0, capacity*maxHeaders)
	var buf copyBuffer
	fields := rows.FieldDescriptions()
	types := rows.Conn().TypeMap()
	for rows.Next() {
		v := rows.RawValues()
		var position int64
		var created time.Time
		if err := types.Scan(fields[1].DataTypeOID, fields[1].Format, v[1], &position); err != nil {
			return nil, fmt.Errorf("read outbox position: %w", err)
		}
		if err := types.Scan(fields[2].DataTypeOID, fields[2].Format, v[2], &created); err != nil {
			return nil, fmt.Errorf("read outbox created_at: %w", err)
		}
		start := len(headers)
		headers = append(headers,
			kafka.Header{Key: HeaderTenantID, Value: buf.copy(v[3])},
			kafka.Header{Key: HeaderEventType, Value: buf.copy(v[4])},
			kafka.Header{Key: HeaderEventID, Value: buf.copy(v[0])})
		if len(v[7]) > 0 {
			headers = append(headers, kafka.Header{Key: HeaderCorrelationID, Value: buf.copy(v[7])})
		}
		if len(v[8]) > 0 {
			headers = append(headers, kafka.Header{Key: HeaderTraceParent, Value: buf.copy(v[8])})
		}
		k := v[5]
		if key == KeyMessageKey {
			k = v[6]
		}
		b.msgs = append(b.msgs, kafka.Message{
			Key: buf.copy(k), Value: buf.copy(v[9]), Headers: headers[start:len(headers):len(headers)],
		})
		b.positions = append(b.positions, position)
		b.created = append(b.created, created)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	return b, nil
}

// copyBuffer hands out copies from large chunks instead of one allocation per value. A full chunk is
// left to the values pointing into it and a new one started, so no copy ever moves.
type copyBuffer struct{ chunk []byte }

const copyChunk = 1 << 20

func (c *copyBuffer) copy(src []byte) []byte {
	if len(c.chunk)+len(src) > cap(c.chunk) {
		c.chunk = make([]byte, 0, max(copyChunk, len(src)))
	}
	start := len(c.chunk)
	c.chunk = append(c.chunk, src...)
	return c.chunk[start:len(c.chunk):len(c.chunk)]
}
