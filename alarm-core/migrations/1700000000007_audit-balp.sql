-- Up Migration
-- The audit trail in the shape of IHE Basic Audit Log Patterns (BALP): one row per access to
-- personal data with the interaction (read, search, create, update, delete), the purpose of use,
-- where the request came from and its id, the software that asked (web app or API client), the
-- query of a search, and every resident whose data it touched (so "who has looked at this
-- person" is one indexed query).

ALTER TABLE audit_events ADD COLUMN subtype text NOT NULL DEFAULT 'update'
  CHECK (subtype IN ('read', 'search', 'create', 'update', 'delete', 'operation'));
ALTER TABLE audit_events ADD COLUMN purpose text NOT NULL DEFAULT 'TREAT';
ALTER TABLE audit_events ADD COLUMN source_ip text;
ALTER TABLE audit_events ADD COLUMN request_id text;
ALTER TABLE audit_events ADD COLUMN client_id text;
ALTER TABLE audit_events ADD COLUMN query text;
ALTER TABLE audit_events ADD COLUMN patient_ids text[] NOT NULL DEFAULT '{}';

-- Rows written before this migration name at most one resident.
ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update;
UPDATE audit_events SET patient_ids = ARRAY[resident_id] WHERE resident_id IS NOT NULL;
ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update;

CREATE INDEX audit_events_patients_idx ON audit_events USING gin (patient_ids);
CREATE INDEX audit_events_actor_idx ON audit_events (actor_user_id, at);
CREATE INDEX audit_events_at_idx ON audit_events (at);

-- Down Migration
DROP INDEX audit_events_at_idx;
DROP INDEX audit_events_actor_idx;
DROP INDEX audit_events_patients_idx;
ALTER TABLE audit_events DROP COLUMN patient_ids;
ALTER TABLE audit_events DROP COLUMN query;
ALTER TABLE audit_events DROP COLUMN client_id;
ALTER TABLE audit_events DROP COLUMN request_id;
ALTER TABLE audit_events DROP COLUMN source_ip;
ALTER TABLE audit_events DROP COLUMN purpose;
ALTER TABLE audit_events DROP COLUMN subtype;
