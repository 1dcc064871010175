-- Audit timeline, transactional outbox, consumer inbox and the dead-letter
-- store for poison Kafka records.

-- +goose Up
create table audit_entry (
    id             uuid primary key,
    -- insertion order breaks ties between entries of the same instant
    seq            bigserial not null,
    tenant_id      varchar(64) not null,
    order_id       uuid,
    aggregate_type varchar(64) not null,
    aggregate_id   uuid not null,
    action         varchar(64) not null,
    state_before   varchar(64) not null default '',
    state_after    varchar(64) not null default '',
    actor_type     varchar(16) not null,
    actor_id       varchar(128) not null,
    reason_code    varchar(64),
    reason         text,
    evidence_ref   varchar(256),
    correlation_id varchar(128),
    details        jsonb not null default '{}'::jsonb,
    occurred_at    timestamptz not null,
    recorded_at    timestamptz not null default now(),
    constraint audit_entry_tenant_id_key unique (tenant_id, id)
);

create index audit_entry_timeline_idx on audit_entry (tenant_id, order_id, occurred_at, seq);

create table outbox_event (
    id             uuid primary key,
    tenant_id      varchar(64) not null,
    -- position orders events; transaction_id lets the relay skip rows of
    -- transactions still in flight: only rows with
    -- transaction_id < pg_snapshot_xmin(pg_current_snapshot()) are safe
    position       bigserial not null,
    transaction_id xid8 not null default pg_current_xact_id(),
    event_type     varchar(128) not null,
    event_version  int not null,
    aggregate_type varchar(64) not null,
    aggregate_id   varchar(128) not null,
    correlation_id varchar(128),
    -- Kafka key: events of one order share a key and so a partition
    message_key    varchar(256) not null,
    -- the full seed 001 §20 envelope, ready to publish
    envelope       jsonb not null,
    occurred_at    timestamptz not null,
    created_at     timestamptz not null default now(),
    published_at   timestamptz,
    publish_attempts int not null default 0,
    last_error     text,
    constraint outbox_event_tenant_id_key unique (tenant_id, id)
);

create index outbox_event_unpublished_idx on outbox_event (position) where published_at is null;

create table inbox_event (
    id           uuid primary key,
    tenant_id    varchar(64) not null,
    consumer     varchar(128) not null,
    message_id   varchar(256) not null,
    source       varchar(256) not null,
    event_type   varchar(128),
    payload_hash varchar(128),
    status       varchar(16) not null default 'RECEIVED',
    received_at  timestamptz not null default now(),
    processed_at timestamptz,
    last_error   text,
    constraint inbox_event_message_key unique (tenant_id, consumer, message_id),
    constraint inbox_event_status_check check (status in ('RECEIVED', 'PROCESSED', 'FAILED'))
);

-- tenant_id is '_unknown' when a poison record is too broken to name one.
create table dead_letter (
    id              uuid primary key,
    tenant_id       varchar(64) not null,
    consumer        varchar(128) not null,
    topic           varchar(256) not null,
    kafka_partition int not null,
    kafka_offset    bigint not null,
    record_key      bytea,
    record_value    bytea,
    headers         jsonb not null default '{}'::jsonb,
    error_code      varchar(128) not null,
    error_message   text,
    attempts        int not null default 1,
    status          varchar(16) not null default 'OPEN',
    first_failed_at timestamptz not null default now(),
    last_failed_at  timestamptz not null default now(),
    resolved_at     timestamptz,
    constraint dead_letter_record_key unique (tenant_id, consumer, topic, kafka_partition, kafka_offset),
    constraint dead_letter_status_check check (status in ('OPEN', 'REPLAYED', 'DISCARDED'))
);

-- +goose Down
drop table dead_letter;
drop table inbox_event;
drop table outbox_event;
drop table audit_entry;
