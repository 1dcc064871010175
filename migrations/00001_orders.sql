-- Orders and their lines. Every table carries tenant_id and is referenced
-- through (tenant_id, id), so a row can never point into another tenant.

-- +goose Up
create table customer_order (
    id                  uuid primary key,
    tenant_id           varchar(64) not null,
    customer_id         varchar(128) not null,
    status              varchar(32) not null,
    completion_policy   varchar(64) not null,
    -- no foreign key: the plan references the order, and the order is
    -- written first in the same transaction
    fulfillment_plan_id uuid,
    suspension_reason   varchar(64),
    cancellation_code   varchar(64),
    version             bigint not null default 0,
    created_at          timestamptz not null,
    updated_at          timestamptz not null,
    constraint customer_order_tenant_id_key unique (tenant_id, id),
    constraint customer_order_status_check check (status in (
        'CAPTURED', 'VALIDATED', 'DECOMPOSED', 'FULFILLMENT_READY', 'FULFILLING', 'SUSPENDED',
        'CANCELLATION_REQUESTED', 'COMPENSATING', 'COMPLETED', 'PARTIALLY_COMPLETED', 'CANCELLED',
        'FAILED_WITH_FALLOUT', 'COMPENSATED', 'MANUAL_CLOSED')),
    constraint customer_order_completion_policy_check check (completion_policy in (
        'COMPLETION_REQUIRES_BILLING_ACTIVE', 'COMPLETION_ALLOWS_BILLING_PENDING',
        'COMPLETION_REQUIRES_BILLING_REQUEST_ACCEPTED'))
);

create index customer_order_status_idx on customer_order (tenant_id, status);

create table order_item (
    id                     uuid primary key,
    tenant_id              varchar(64) not null,
    order_id               uuid not null,
    line_no                int not null,
    product_code           varchar(64) not null,
    action                 varchar(16) not null,
    quantity               int not null default 1,
    target_asset_id        uuid,
    expected_asset_version bigint,
    parent_item_id         uuid,
    parent_asset_id        uuid,
    location               text,
    attributes             jsonb not null default '{}'::jsonb,
    constraint order_item_tenant_id_key unique (tenant_id, id),
    constraint order_item_line_key unique (tenant_id, order_id, line_no),
    constraint order_item_order_fk foreign key (tenant_id, order_id)
        references customer_order (tenant_id, id) on delete cascade,
    constraint order_item_parent_fk foreign key (tenant_id, parent_item_id)
        references order_item (tenant_id, id),
    constraint order_item_action_check check (action in ('ADD', 'MODIFY', 'DISCONNECT', 'MOVE')),
    constraint order_item_quantity_check check (quantity >= 1)
);

-- +goose Down
drop table order_item;
drop table customer_order;
