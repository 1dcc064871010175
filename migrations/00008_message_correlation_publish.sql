-- The correlation router keeps one workflow_message_correlation row per
-- (tenant, message name, correlation key). A later message for the same key
-- (the result of a retried task, say) updates that row; these columns say
-- which event drove it last and how many were published for the key.

-- +goose Up
alter table workflow_message_correlation
    add column message_id        varchar(256),
    add column publish_count     int not null default 0,
    add column last_published_at timestamptz;

-- +goose Down
alter table workflow_message_correlation
    drop column last_published_at,
    drop column publish_count,
    drop column message_id;
