-- Divergences the reconciler found between the OMS, the engine (as Operate reports it) and the
-- outbox (seed 000 §24, §29). A finding stays open while each pass sees it again and is resolved by
-- the first pass that no longer does; a later recurrence opens a new row, so history is kept.

-- +goose Up
create table reconciliation_finding (
    id                   uuid primary key,
    tenant_id            varchar(64) not null,
    -- a stable code: ORDER_WITHOUT_PROCESS, TASK_STUCK_PAST_TIMEOUT, ...
    kind                 varchar(64) not null,
    -- what the finding is about within its kind (an order, a task, an instance, the tenant's
    -- outbox); repeated passes match on it to update rather than duplicate
    subject              varchar(256) not null,
    order_id             uuid,
    fulfillment_plan_id  uuid,
    process_instance_key varchar(128),
    task_id              uuid,
    detail               text not null,
    first_seen           timestamptz not null,
    last_seen            timestamptz not null,
    seen_count           int not null default 1,
    resolved_at          timestamptz,
    constraint reconciliation_finding_resolved_check check (resolved_at is null or resolved_at >= first_seen)
);

-- one open finding per subject: a pass upserts into it
create unique index reconciliation_finding_open_key on reconciliation_finding (tenant_id, kind, subject)
    where resolved_at is null;
-- fleetctl reconcile --list and the metrics read the open findings
create index reconciliation_finding_open_idx on reconciliation_finding (tenant_id, first_seen)
    where resolved_at is null;

-- +goose Down
drop table reconciliation_finding;
