-- The order timeline (GET /api/v1/orders/{orderId}/timeline) reads four journals by order. The
-- audit journal had its index; attempts, callbacks and the outbox were scanned whole, and the
-- outbox keeps published rows in mark mode, so that scan grew with every event ever sent.

-- +goose Up
create index fulfillment_task_attempt_order_idx on fulfillment_task_attempt (tenant_id, order_id);
create index callback_evidence_order_idx on callback_evidence (tenant_id, order_id);
create index outbox_event_message_key_idx on outbox_event (tenant_id, message_key);

-- +goose Down
drop index outbox_event_message_key_idx;
drop index callback_evidence_order_idx;
drop index fulfillment_task_attempt_order_idx;
