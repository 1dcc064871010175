-- Manual fulfillment tasks run as job-based user tasks: the fleet activates the engine's user-task
-- job, parks it here, and completes it by key once the OMS recorded a decision that settles the
-- task. The job key is stable across re-activations, so a parked job survives worker restarts.

-- +goose Up
create table manual_task_job (
    tenant_id            varchar(64) not null,
    fulfillment_task_id  uuid not null,
    job_key              bigint not null,
    order_id             uuid not null,
    fulfillment_plan_id  uuid not null,
    process_instance_key bigint not null,
    parked_at            timestamptz not null default now(),
    released_at          timestamptz,
    released_status      varchar(32),
    primary key (tenant_id, fulfillment_task_id, job_key),
    constraint manual_task_job_task_fk foreign key (tenant_id, fulfillment_task_id)
        references fulfillment_task (tenant_id, id) on delete cascade
);

-- the release loop scans parked jobs
create index manual_task_job_parked_idx on manual_task_job (parked_at) where released_at is null;

-- +goose Down
drop table manual_task_job;
