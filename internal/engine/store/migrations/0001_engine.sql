-- The engine's tables (see internal/engine/DESIGN.md). No foreign keys: every write happens
-- inside one command transaction that already holds the instance lock.
CREATE SEQUENCE engine_key_seq START 1 INCREMENT 100;

CREATE TABLE definition (
    key             bigint PRIMARY KEY,
    bpmn_process_id text NOT NULL,
    version         int NOT NULL,
    resource_name   text NOT NULL,
    checksum        text NOT NULL,
    xml             text NOT NULL,
    deployed_at     timestamptz NOT NULL,
    deleted         boolean NOT NULL DEFAULT false,
    UNIQUE (bpmn_process_id, version)
);

CREATE TABLE process_instance (
    key                 bigint PRIMARY KEY,
    definition_key      bigint NOT NULL,
    bpmn_process_id     text NOT NULL,
    version             int NOT NULL,
    state               text NOT NULL,
    parent_instance_key bigint NOT NULL DEFAULT 0,
    started_at          timestamptz NOT NULL,
    ended_at            timestamptz,
    has_incident        boolean NOT NULL DEFAULT false,
    variables           jsonb NOT NULL DEFAULT '{}',
    doc                 jsonb NOT NULL
);
CREATE INDEX process_instance_active_definition ON process_instance (definition_key) WHERE state = 'ACTIVE';
CREATE INDEX process_instance_process_id ON process_instance (bpmn_process_id, version);
CREATE INDEX process_instance_parent ON process_instance (parent_instance_key) WHERE parent_instance_key <> 0;

CREATE TABLE job (
    key                  bigint PRIMARY KEY,
    type                 text NOT NULL,
    state                text NOT NULL,
    retries              int NOT NULL,
    retry_at             timestamptz,
    deadline             timestamptz,
    worker               text NOT NULL DEFAULT '',
    error_message        text NOT NULL DEFAULT '',
    custom_headers       jsonb NOT NULL DEFAULT '{}',
    process_instance_key bigint NOT NULL,
    element_instance_key bigint NOT NULL,
    element_id           text NOT NULL,
    bpmn_process_id      text NOT NULL,
    version              int NOT NULL,
    definition_key       bigint NOT NULL
);
CREATE INDEX job_activatable ON job (type, key) WHERE state = 'ACTIVATABLE';
CREATE INDEX job_deadline ON job (deadline) WHERE state = 'ACTIVATED';
CREATE INDEX job_retry_at ON job (retry_at) WHERE state = 'ACTIVATABLE' AND retry_at IS NOT NULL;
CREATE INDEX job_instance ON job (process_instance_key);

CREATE TABLE timer (
    key                  bigint PRIMARY KEY,
    process_instance_key bigint NOT NULL,
    element_instance_key bigint NOT NULL,
    element_id           text NOT NULL,
    definition_key       bigint NOT NULL,
    due_at               timestamptz NOT NULL,
    repetitions          int NOT NULL,
    interval             text NOT NULL DEFAULT ''
);
CREATE INDEX timer_due ON timer (due_at);
CREATE INDEX timer_definition ON timer (definition_key) WHERE process_instance_key = 0;

CREATE TABLE message (
    key             bigint PRIMARY KEY,
    name            text NOT NULL,
    correlation_key text NOT NULL,
    message_id      text NOT NULL DEFAULT '',
    variables       jsonb NOT NULL DEFAULT '{}',
    published_at    timestamptz NOT NULL,
    expires_at      timestamptz NOT NULL
);
CREATE INDEX message_name_key ON message (name, correlation_key);
CREATE INDEX message_expires ON message (expires_at);
CREATE UNIQUE INDEX message_id_unique ON message (name, correlation_key, message_id) WHERE message_id <> '';

CREATE TABLE message_correlation (
    message_key          bigint NOT NULL,
    bpmn_process_id      text NOT NULL,
    process_instance_key bigint NOT NULL,
    PRIMARY KEY (message_key, bpmn_process_id)
);

CREATE TABLE message_subscription (
    key                  bigint PRIMARY KEY,
    process_instance_key bigint NOT NULL,
    element_instance_key bigint NOT NULL,
    element_id           text NOT NULL,
    bpmn_process_id      text NOT NULL,
    message_name         text NOT NULL,
    correlation_key      text NOT NULL,
    interrupting         boolean NOT NULL,
    state                text NOT NULL
);
CREATE INDEX message_subscription_name_key ON message_subscription (message_name, correlation_key);
CREATE INDEX message_subscription_instance ON message_subscription (process_instance_key);

CREATE TABLE message_start_subscription (
    definition_key  bigint NOT NULL,
    bpmn_process_id text NOT NULL,
    element_id      text NOT NULL,
    message_name    text NOT NULL,
    PRIMARY KEY (definition_key, element_id)
);
CREATE INDEX message_start_subscription_name ON message_start_subscription (message_name);

CREATE TABLE signal_subscription (
    key                  bigint PRIMARY KEY,
    process_instance_key bigint NOT NULL,
    element_instance_key bigint NOT NULL,
    element_id           text NOT NULL,
    definition_key       bigint NOT NULL,
    signal_name          text NOT NULL
);
CREATE INDEX signal_subscription_name ON signal_subscription (signal_name);
CREATE INDEX signal_subscription_instance ON signal_subscription (process_instance_key);

CREATE TABLE incident (
    key                  bigint PRIMARY KEY,
    type                 text NOT NULL,
    message              text NOT NULL,
    process_instance_key bigint NOT NULL,
    element_instance_key bigint NOT NULL,
    element_id           text NOT NULL,
    bpmn_process_id      text NOT NULL,
    definition_key       bigint NOT NULL DEFAULT 0,
    job_key              bigint NOT NULL DEFAULT 0,
    state                text NOT NULL,
    created_at           timestamptz NOT NULL,
    resolved_at          timestamptz
);
CREATE INDEX incident_instance ON incident (process_instance_key);
CREATE INDEX incident_job ON incident (job_key) WHERE job_key <> 0;

CREATE TABLE pending_command (
    id                   bigserial PRIMARY KEY,
    process_instance_key bigint NOT NULL,
    kind                 text NOT NULL,
    payload              jsonb NOT NULL,
    created_at           timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE journal (
    position             bigserial PRIMARY KEY,
    process_instance_key bigint NOT NULL,
    key                  bigint NOT NULL,
    value_type           text NOT NULL,
    intent               text NOT NULL,
    element_id           text NOT NULL,
    element_type         text NOT NULL,
    flow_scope_key       bigint NOT NULL,
    detail               jsonb,
    at                   timestamptz NOT NULL
);
CREATE INDEX journal_instance ON journal (process_instance_key, position);
CREATE INDEX journal_key ON journal (key);

CREATE TABLE engine_clock (
    id        int PRIMARY KEY,
    offset_ms bigint NOT NULL DEFAULT 0,
    pinned_ms bigint
);
INSERT INTO engine_clock (id, offset_ms) VALUES (1, 0);
