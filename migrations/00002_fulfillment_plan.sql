-- The fulfilment plan, its tasks and the dependency edges between them.
-- Policies are columns rather than JSON so operations can query them.

-- +goose Up
create table fulfillment_plan (
    id                uuid primary key,
    tenant_id         varchar(64) not null,
    order_id          uuid not null,
    status            varchar(32) not null,
    completion_policy varchar(64) not null,
    catalog_version   varchar(64) not null default '',
    version           bigint not null default 0,
    created_at        timestamptz not null,
    updated_at        timestamptz not null,
    constraint fulfillment_plan_tenant_id_key unique (tenant_id, id),
    constraint fulfillment_plan_order_key unique (tenant_id, order_id, id),
    constraint fulfillment_plan_order_fk foreign key (tenant_id, order_id)
        references customer_order (tenant_id, id) on delete cascade,
    constraint fulfillment_plan_status_check check (status in (
        'CREATED', 'EXECUTING', 'COMPLETED', 'FAILED', 'CANCELLED', 'COMPENSATING', 'COMPENSATED', 'CLOSED'))
);

create table fulfillment_task (
    id                      uuid primary key,
    tenant_id               varchar(64) not null,
    order_id                uuid not null,
    fulfillment_plan_id     uuid not null,
    order_item_id           uuid not null,
    seq                     int not null,
    task_key                varchar(128) not null,
    component               varchar(64) not null default '',
    task_type               varchar(64) not null,
    owner_system            varchar(128) not null,
    execution_mode          varchar(32) not null,
    status                  varchar(32) not null,
    optional                boolean not null default false,
    input                   jsonb not null,
    input_snapshot_hash     varchar(80) not null,
    retry_max_attempts      int not null,
    retry_backoff           varchar(32) not null,
    timeout                 varchar(32) not null,
    soft_reminder_before    varchar(32),
    on_timeout              varchar(32) not null,
    fallout_category        varchar(64) not null,
    compensatable           boolean not null,
    compensation_task_type  varchar(64),
    reversible              boolean not null default false,
    requires_manual_review  boolean not null default false,
    attempts                int not null default 0,
    manual_retries          int not null default 0,
    last_failure_code       varchar(128),
    last_failure_message    text,
    external_correlation_id varchar(256),
    response_hash           varchar(128),
    started_at              timestamptz,
    completed_at            timestamptz,
    version                 bigint not null default 0,
    created_at              timestamptz not null,
    updated_at              timestamptz not null,
    constraint fulfillment_task_tenant_id_key unique (tenant_id, id),
    constraint fulfillment_task_plan_key unique (tenant_id, fulfillment_plan_id, id),
    constraint fulfillment_task_seq_key unique (tenant_id, fulfillment_plan_id, seq),
    constraint fulfillment_task_plan_fk foreign key (tenant_id, order_id, fulfillment_plan_id)
        references fulfillment_plan (tenant_id, order_id, id) on delete cascade,
    constraint fulfillment_task_item_fk foreign key (tenant_id, order_item_id)
        references order_item (tenant_id, id),
    constraint fulfillment_task_status_check check (status in (
        'PENDING', 'READY', 'IN_PROGRESS', 'SUBMITTED', 'WAITING', 'COMPLETED', 'FAILED', 'TIMED_OUT',
        'SKIPPED', 'CANCELLED', 'COMPENSATING', 'COMPENSATED', 'COMPENSATION_FAILED')),
    constraint fulfillment_task_mode_check check (execution_mode in (
        'AUTOMATED_SYNC', 'AUTOMATED_ASYNC', 'MANUAL', 'WAIT_ONLY', 'COMPENSATION', 'REPAIR')),
    constraint fulfillment_task_attempts_check check (retry_max_attempts >= 1 and attempts >= 0)
);

-- backlog by owner system and state (seed 001 §26 dashboards)
create index fulfillment_task_backlog_idx on fulfillment_task (tenant_id, owner_system, status);

create table fulfillment_task_dependency (
    tenant_id           varchar(64) not null,
    fulfillment_plan_id uuid not null,
    task_id             uuid not null,
    depends_on_task_id  uuid not null,
    -- an edge is identified by its two ends; it needs no surrogate id
    primary key (tenant_id, task_id, depends_on_task_id),
    -- both ends must be tasks of the same plan
    constraint fulfillment_task_dependency_task_fk foreign key (tenant_id, fulfillment_plan_id, task_id)
        references fulfillment_task (tenant_id, fulfillment_plan_id, id) on delete cascade,
    constraint fulfillment_task_dependency_dep_fk foreign key (tenant_id, fulfillment_plan_id, depends_on_task_id)
        references fulfillment_task (tenant_id, fulfillment_plan_id, id) on delete cascade,
    constraint fulfillment_task_dependency_self_check check (task_id <> depends_on_task_id)
);

-- +goose Down
drop table fulfillment_task_dependency;
drop table fulfillment_task;
drop table fulfillment_plan;
