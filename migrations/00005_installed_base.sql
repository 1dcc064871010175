-- Installed base: product instances and their immutable version history
-- (seed 001 §18). The version row ties a change to the order line that
-- caused it, which is what makes a repeated apply a no-op.

-- +goose Up
create table installed_base_asset (
    id              uuid primary key,
    tenant_id       varchar(64) not null,
    customer_id     varchar(128) not null,
    product_code    varchar(64) not null,
    status          varchar(16) not null,
    location        text,
    parent_asset_id uuid,
    attributes      jsonb not null default '{}'::jsonb,
    version         bigint not null,
    created_at      timestamptz not null,
    updated_at      timestamptz not null,
    constraint installed_base_asset_tenant_id_key unique (tenant_id, id),
    constraint installed_base_asset_status_check check (status in ('ACTIVE', 'CLOSED')),
    constraint installed_base_asset_version_check check (version >= 1)
);

create index installed_base_asset_customer_idx on installed_base_asset (tenant_id, customer_id);

create table installed_base_asset_version (
    id            uuid primary key,
    tenant_id     varchar(64) not null,
    asset_id      uuid not null,
    version       bigint not null,
    order_id      uuid not null,
    order_item_id uuid not null,
    action        varchar(16) not null,
    status        varchar(16) not null,
    location      text,
    attributes    jsonb not null default '{}'::jsonb,
    created_at    timestamptz not null,
    constraint installed_base_asset_version_key unique (tenant_id, asset_id, version),
    -- one order line changes one asset once
    constraint installed_base_asset_version_item_key unique (tenant_id, order_item_id),
    constraint installed_base_asset_version_asset_fk foreign key (tenant_id, asset_id)
        references installed_base_asset (tenant_id, id) on delete cascade,
    constraint installed_base_asset_version_item_fk foreign key (tenant_id, order_item_id)
        references order_item (tenant_id, id)
);

-- +goose Down
drop table installed_base_asset_version;
drop table installed_base_asset;
