-- Fallout cases (seed 001 §17), operators' manual decisions (seed 000 §17)
-- and compensation plans (seed 001 §16).

-- +goose Up
create table fallout_case (
    id                       uuid primary key,
    tenant_id                varchar(64) not null,
    order_id                 uuid not null,
    order_item_id            uuid,
    fulfillment_plan_id      uuid not null,
    task_id                  uuid,
    category                 varchar(64) not null,
    severity                 varchar(16) not null,
    customer_impact          varchar(32) not null,
    retryable                boolean not null,
    requires_manual_repair   boolean not null,
    suggested_repair_actions text[] not null,
    source_system            varchar(128) not null,
    external_correlation_id  varchar(256),
    evidence_hash            varchar(128),
    description              text,
    status                   varchar(16) not null,
    resolution               varchar(32),
    resolved_by              varchar(128),
    resolved_at              timestamptz,
    version                  bigint not null default 0,
    created_at               timestamptz not null,
    updated_at               timestamptz not null,
    constraint fallout_case_tenant_id_key unique (tenant_id, id),
    constraint fallout_case_plan_fk foreign key (tenant_id, order_id, fulfillment_plan_id)
        references fulfillment_plan (tenant_id, order_id, id) on delete cascade,
    constraint fallout_case_task_fk foreign key (tenant_id, task_id)
        references fulfillment_task (tenant_id, id),
    constraint fallout_case_status_check check (status in ('OPEN', 'ESCALATED', 'REPAIRED', 'CLOSED')),
    constraint fallout_case_resolution_check check (
        resolution is null or resolution in ('RETRY', 'SKIP_WITH_APPROVAL', 'COMPENSATE', 'MANUAL_CLOSE'))
);

-- A retried worker must not open a second case for the same task.
create unique index fallout_case_open_task_key on fallout_case (tenant_id, task_id)
    where task_id is not null and status in ('OPEN', 'ESCALATED');
create index fallout_case_open_idx on fallout_case (tenant_id, category) where status in ('OPEN', 'ESCALATED');

create table manual_decision (
    id                  uuid primary key,
    tenant_id           varchar(64) not null,
    order_id            uuid not null,
    fulfillment_plan_id uuid not null,
    task_id             uuid not null,
    fallout_case_id     uuid,
    decision            varchar(32) not null,
    reason_code         varchar(64) not null,
    reason              text not null,
    evidence_reference  varchar(256),
    operator_id         varchar(128) not null,
    approver_id         varchar(128),
    idempotency_key     varchar(256) not null,
    decided_at          timestamptz not null,
    constraint manual_decision_idempotency_key unique (tenant_id, idempotency_key),
    constraint manual_decision_task_fk foreign key (tenant_id, fulfillment_plan_id, task_id)
        references fulfillment_task (tenant_id, fulfillment_plan_id, id) on delete cascade,
    constraint manual_decision_fallout_fk foreign key (tenant_id, fallout_case_id)
        references fallout_case (tenant_id, id),
    constraint manual_decision_decision_check check (decision in (
        'COMPLETE', 'FAIL', 'RETRY', 'SKIP_WITH_APPROVAL', 'REQUEST_CUSTOMER_ACTION', 'ESCALATE'))
);

create table compensation_plan (
    id                  uuid primary key,
    tenant_id           varchar(64) not null,
    order_id            uuid not null,
    fulfillment_plan_id uuid not null,
    reason_code         varchar(64) not null,
    status              varchar(16) not null,
    in_flight_task_ids  uuid[] not null default '{}',
    version             bigint not null default 0,
    created_at          timestamptz not null,
    updated_at          timestamptz not null,
    constraint compensation_plan_tenant_id_key unique (tenant_id, id),
    constraint compensation_plan_plan_fk foreign key (tenant_id, order_id, fulfillment_plan_id)
        references fulfillment_plan (tenant_id, order_id, id) on delete cascade,
    constraint compensation_plan_status_check check (status in ('PLANNED', 'EXECUTING', 'COMPLETED', 'FAILED'))
);

-- at most one unfinished compensation per fulfilment plan
create unique index compensation_plan_active_key on compensation_plan (tenant_id, fulfillment_plan_id)
    where status <> 'COMPLETED';

create table compensation_task (
    id                     uuid primary key,
    tenant_id              varchar(64) not null,
    compensation_plan_id   uuid not null,
    source_task_id         uuid not null,
    source_task_type       varchar(64) not null,
    task_type              varchar(64) not null,
    seq                    int not null,
    depends_on             uuid[] not null default '{}',
    status                 varchar(32) not null,
    reversible             boolean not null,
    requires_manual_review boolean not null,
    attempts               int not null default 0,
    last_failure_code      varchar(128),
    version                bigint not null default 0,
    created_at             timestamptz not null,
    updated_at             timestamptz not null,
    constraint compensation_task_seq_key unique (tenant_id, compensation_plan_id, seq),
    constraint compensation_task_source_key unique (tenant_id, compensation_plan_id, source_task_id),
    constraint compensation_task_plan_fk foreign key (tenant_id, compensation_plan_id)
        references compensation_plan (tenant_id, id) on delete cascade,
    constraint compensation_task_source_fk foreign key (tenant_id, source_task_id)
        references fulfillment_task (tenant_id, id),
    constraint compensation_task_status_check check (status in (
        'PENDING', 'AWAITING_REVIEW', 'IN_PROGRESS', 'COMPLETED', 'FAILED', 'DECLINED'))
);

-- +goose Down
drop table compensation_task;
drop table compensation_plan;
drop table manual_decision;
drop table fallout_case;
