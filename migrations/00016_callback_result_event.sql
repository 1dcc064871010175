-- The apply-external-result worker followed a task's result from the ExternalTaskResultReceived
-- outbox row to its callback evidence. The outbox relay may delete that row (delete mode at once,
-- or after a retention), so the evidence now names the event it emitted itself. Evidence stored
-- before this migration is linked from the outbox rows still kept.

-- +goose Up
alter table callback_evidence add column result_event_id uuid;

update callback_evidence c set result_event_id = o.id
from outbox_event o
where o.tenant_id = c.tenant_id and o.event_type = 'ExternalTaskResultReceived'
  and o.envelope::jsonb #>> '{payload,callbackEvidenceId}' = c.id::text;

create unique index callback_evidence_result_event_idx on callback_evidence (tenant_id, result_event_id);

-- +goose Down
drop index callback_evidence_result_event_idx;
alter table callback_evidence drop column result_event_id;
