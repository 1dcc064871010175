-- Evidence of calls to external systems and of their callbacks
-- (seed 001 §10): what we sent under which key, and what came back.

-- +goose Up
create table external_call_attempt (
    id                      uuid primary key,
    tenant_id               varchar(64) not null,
    order_id                uuid not null,
    fulfillment_task_id     uuid not null,
    attempt_no              int not null,
    external_system         varchar(128) not null,
    external_correlation_id varchar(256),
    idempotency_key         varchar(160) not null,
    request_hash            varchar(128),
    response_hash           varchar(128),
    status                  varchar(32) not null,
    failure_code            varchar(128),
    submitted_at            timestamptz not null,
    updated_at              timestamptz not null,
    completed_at            timestamptz,
    version                 bigint not null default 0,
    constraint external_call_attempt_tenant_id_key unique (tenant_id, id),
    constraint external_call_attempt_idempotency_key unique (tenant_id, idempotency_key),
    constraint external_call_attempt_correlation_key unique (tenant_id, external_system, external_correlation_id),
    constraint external_call_attempt_attempt_fk foreign key (tenant_id, fulfillment_task_id, attempt_no)
        references fulfillment_task_attempt (tenant_id, fulfillment_task_id, attempt_no) on delete cascade,
    constraint external_call_attempt_status_check check (status in (
        'SUBMITTED', 'ACCEPTED', 'COMPLETED', 'FAILED', 'REJECTED', 'TIMED_OUT'))
);

create table callback_evidence (
    id                       uuid primary key,
    tenant_id                varchar(64) not null,
    external_system          varchar(128) not null,
    -- the sender's delivery id; a redelivered callback collides here
    callback_id              varchar(256) not null,
    external_correlation_id  varchar(256),
    external_call_attempt_id uuid,
    order_id                 uuid,
    fulfillment_task_id      uuid,
    signature_valid          boolean not null,
    payload                  jsonb not null,
    payload_hash             varchar(128) not null,
    received_at              timestamptz not null default now(),
    processed_at             timestamptz,
    constraint callback_evidence_delivery_key unique (tenant_id, external_system, callback_id),
    constraint callback_evidence_call_fk foreign key (tenant_id, external_call_attempt_id)
        references external_call_attempt (tenant_id, id)
);

create index callback_evidence_correlation_idx on callback_evidence (tenant_id, external_system, external_correlation_id);

-- +goose Down
drop table callback_evidence;
drop table external_call_attempt;
