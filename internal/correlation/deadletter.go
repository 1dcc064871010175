package correlation

import (
	"context"
	"fmt"

	"github.com/segmentio/kafka-go"
	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/telemetry"
)

// deadLetter files a record that can never be processed, with the reason and the raw bytes, so it
// can be inspected and replayed; the router then moves on. The same record delivered again (after
// a crash) bumps the attempt count instead of adding a row.
func (r *Router) deadLetter(ctx context.Context, m kafka.Message, tenantID string, p *poison) error {
	if tenantID == "" {
		tenantID = UnknownTenant
	}
	headers := make(map[string]string, len(m.Headers))
	for _, h := range m.Headers {
		headers[h.Key] = string(h.Value)
	}
	reason := p.reason
	if len(reason) > 4000 {
		reason = reason[:4000]
	}
	_, err := r.db.Exec(ctx, `
		insert into dead_letter (id, tenant_id, consumer, topic, kafka_partition, kafka_offset, record_key, record_value,
		    headers, error_code, error_message)
		values (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		on conflict (tenant_id, consumer, topic, kafka_partition, kafka_offset) do update set
		    attempts = dead_letter.attempts + 1, last_failed_at = now(),
		    error_code = excluded.error_code, error_message = excluded.error_message`,
		tenantID, r.cfg.Consumer, m.Topic, m.Partition, m.Offset, m.Key, m.Value, headers, p.code, reason)
	if err != nil {
		return fmt.Errorf("dead-letter %s/%d@%d: %w", m.Topic, m.Partition, m.Offset, err)
	}
	r.log.Warn("record dead-lettered", zap.String(telemetry.FieldTenantID, tenantID), zap.String("topic", m.Topic),
		zap.Int("partition", m.Partition), zap.Int64("offset", m.Offset), zap.String("errorCode", p.code), zap.String("reason", reason))
	return nil
}
