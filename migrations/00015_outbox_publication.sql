-- The outbox relay stops marking rows one by one. Marking cost a new row version and an entry in
-- every index per event (published_at sat in the partial index's predicate, so no update was HOT),
-- which capped the relay well below Kafka's speed. Instead the relay keeps a cursor: it publishes
-- rows in position order and records each acknowledged batch as one outbox_publication row. An
-- event is published when its position is at or below outbox_published_through().
--
-- Deploying: this rewrites outbox_event (the json change) and builds an index under an exclusive
-- lock, so a large kept outbox blocks the OMS's writes for the rewrite; stop the old outbox relay
-- first, since it needs published_at. transaction_id is no longer read by the relay; it stays to tell
-- which transaction wrote a row.
--
-- The cursor is only sound if no row can later appear below it. The relay guarantees that with a
-- horizon (see internal/outbox/horizon.go) that relies on each transaction holding its xid before
-- it draws a position; outbox_next_position() makes that so for every writer.

-- +goose Up
create table outbox_publication (
    -- the batch covers positions first_position..last_position; the relay's batches are contiguous,
    -- so an event's batch is the first one whose last_position is at or above the event's position
    -- (the batches converted from old marks below may overlap: their publishedAt is approximate)
    last_position  bigint primary key,
    first_position bigint not null,
    event_count    int not null,
    published_at   timestamptz not null default now(),
    constraint outbox_publication_range_check check (first_position <= last_position + 1)
);

-- +goose StatementBegin
create function outbox_published_through() returns bigint
language sql stable as $$
    select coalesce(max(last_position), 0) from outbox_publication
$$;
-- +goose StatementEnd

-- The CASE evaluates its condition first, so pg_current_xact_id() has assigned the transaction's
-- xid before nextval() hands out the position. The sequence must keep CACHE 1: a cached block would
-- hand out positions below a value the relay has already read.
-- +goose StatementBegin
create function outbox_next_position() returns bigint
language sql volatile as $$
    select case when pg_current_xact_id() is null then null else nextval('outbox_event_position_seq'::regclass) end
$$;
-- +goose StatementEnd

alter table outbox_event alter column position set default outbox_next_position();
alter sequence outbox_event_position_seq cache 1;

-- Rows marked before this migration become publications, one per marking statement (one per
-- published_at); the cursor stops below the first row still unmarked, so rows marked after it are
-- published again, which at-least-once delivery allows.
insert into outbox_publication (last_position, first_position, event_count, published_at)
select max(position), min(position), count(*), published_at
from outbox_event
where published_at is not null
  and position < coalesce((select min(position) from outbox_event where published_at is null), 9223372036854775807)
group by published_at;

drop index outbox_event_unpublished_idx;
alter table outbox_event drop column published_at;
create unique index outbox_event_position_key on outbox_event (position);

-- The relay sends the envelope as it was written. As json it is stored as text and read back as a
-- copy; as jsonb every read rebuilt the text, which cost the relay's reads half their time.
alter table outbox_event alter column envelope type json using envelope::json;
-- W3C trace context of the request that caused the event (its traceparent header), sent as a Kafka
-- header; the relay used to look for it inside the envelope, which never carries one.
alter table outbox_event add column traceparent varchar(55);

-- +goose Down
alter table outbox_event drop column traceparent;
alter table outbox_event alter column envelope type jsonb using envelope::jsonb;
alter table outbox_event add column published_at timestamptz;
update outbox_event e set published_at = (
    select p.published_at from outbox_publication p where p.last_position >= e.position order by p.last_position limit 1);
drop index outbox_event_position_key;
create index outbox_event_unpublished_idx on outbox_event (position) where published_at is null;
alter table outbox_event alter column position set default nextval('outbox_event_position_seq'::regclass);
drop function outbox_next_position();
drop function outbox_published_through();
drop table outbox_publication;
