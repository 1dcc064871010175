-- Workflow-facing tables. fulfillment_execution, fulfillment_task_attempt,
-- order_workflow_ref and workflow_message_correlation keep seed 001's
-- columns (§6, §21); additions are marked.

-- +goose Up
create table fulfillment_execution (
    id                  uuid primary key,
    tenant_id           varchar(64) not null,
    order_id            uuid not null,
    fulfillment_plan_id uuid not null,
    status              varchar(32) not null,
    started_at          timestamptz not null,
    completed_at        timestamptz,
    version             bigint not null default 0,
    -- added: the process instance that claimed this execution, so a
    -- duplicate instance can be recognised and stopped
    process_instance_key varchar(128),
    unique (tenant_id, order_id, fulfillment_plan_id),
    constraint fulfillment_execution_plan_fk foreign key (tenant_id, order_id, fulfillment_plan_id)
        references fulfillment_plan (tenant_id, order_id, id) on delete cascade
);

create table fulfillment_task_attempt (
    id                      uuid primary key,
    tenant_id               varchar(64) not null,
    order_id                uuid not null,
    fulfillment_task_id     uuid not null,
    attempt_no              int not null,
    status                  varchar(32) not null,
    idempotency_key         varchar(160) not null,
    external_system         varchar(128),
    external_correlation_id varchar(256),
    request_hash            varchar(128),
    response_hash           varchar(128),
    failure_code            varchar(128),
    failure_message         text,
    started_at              timestamptz not null,
    completed_at            timestamptz,
    -- added: the attemptPurpose part of the idempotency key
    attempt_purpose         varchar(64) not null default '',
    constraint fulfillment_task_attempt_no_key unique (tenant_id, fulfillment_task_id, attempt_no),
    constraint fulfillment_task_attempt_idempotency_key unique (tenant_id, fulfillment_task_id, idempotency_key),
    constraint fulfillment_task_attempt_task_fk foreign key (tenant_id, fulfillment_task_id)
        references fulfillment_task (tenant_id, id) on delete cascade
);

create table order_workflow_ref (
    tenant_id            varchar(64) not null,
    order_id             uuid not null,
    fulfillment_plan_id  uuid not null,
    process_id           varchar(128) not null,
    process_instance_key varchar(128) not null,
    status               varchar(32) not null,
    started_at           timestamptz not null,
    ended_at             timestamptz,
    last_seen_task_id    uuid,
    last_seen_element_id varchar(128),
    last_error           text,
    version              bigint not null default 0,
    primary key (tenant_id, order_id, fulfillment_plan_id),
    constraint order_workflow_ref_plan_fk foreign key (tenant_id, order_id, fulfillment_plan_id)
        references fulfillment_plan (tenant_id, order_id, id) on delete cascade
);

create table workflow_message_correlation (
    id                   uuid primary key,
    tenant_id            varchar(64) not null,
    process_instance_key varchar(128) not null,
    message_name         varchar(128) not null,
    correlation_key      varchar(256) not null,
    aggregate_type       varchar(64) not null,
    aggregate_id         uuid not null,
    status               varchar(32) not null,
    created_at           timestamptz not null,
    correlated_at        timestamptz,
    unique (tenant_id, message_name, correlation_key)
);

-- Durable intent to start a process, written with the plan (seed 001 §6).
create table workflow_start_request (
    id                   uuid primary key,
    tenant_id            varchar(64) not null,
    order_id             uuid not null,
    fulfillment_plan_id  uuid not null,
    process_id           varchar(128) not null,
    business_key         varchar(256) not null,
    status               varchar(32) not null,
    attempts             int not null default 0,
    next_attempt_at      timestamptz not null default now(),
    last_error           text,
    process_instance_key varchar(128),
    created_at           timestamptz not null default now(),
    started_at           timestamptz,
    unique (tenant_id, order_id, fulfillment_plan_id, process_id),
    constraint workflow_start_request_plan_fk foreign key (tenant_id, order_id, fulfillment_plan_id)
        references fulfillment_plan (tenant_id, order_id, id) on delete cascade,
    constraint workflow_start_request_status_check check (status in ('PENDING', 'STARTED', 'FAILED'))
);

-- the relay polls for due requests
create index workflow_start_request_due_idx on workflow_start_request (next_attempt_at) where status = 'PENDING';

-- +goose Down
drop table workflow_start_request;
drop table workflow_message_correlation;
drop table order_workflow_ref;
drop table fulfillment_task_attempt;
drop table fulfillment_execution;
