-- The OMS API's Idempotency-Key store. A row is written in the same
-- transaction as the request's effect, so it exists exactly when the effect
-- does; a replay answers from it without running the request again.

-- +goose Up
create table api_idempotency (
    tenant_id         varchar(64) not null,
    idempotency_key   varchar(255) not null,
    request_method    varchar(8) not null,
    request_path      varchar(512) not null,
    -- sha256 of method, path and body: the same key with another request is refused
    request_hash      varchar(64) not null,
    response_status   int not null,
    response_body     bytea not null,
    response_location varchar(512),
    created_at        timestamptz not null default now(),
    primary key (tenant_id, idempotency_key)
);

-- a future purge of old keys scans by age
create index api_idempotency_created_idx on api_idempotency (created_at);

-- GET /api/v1/orders pages through a tenant's orders newest first
create index customer_order_tenant_created_idx on customer_order (tenant_id, created_at desc, id desc);

-- +goose Down
drop index customer_order_tenant_created_idx;
drop table api_idempotency;
