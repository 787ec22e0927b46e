-- Up Migration
-- The journal outbox (a closed alarm waits here, written in the transaction that closed it, for
-- the journal worker) and the audit trail of what people did to alarms (append-only).

CREATE TABLE journal_outbox (
  alarm_id        uuid PRIMARY KEY REFERENCES alarms (id),
  created_at      timestamptz NOT NULL DEFAULT now(),
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'journaled', 'failed')),
  record          jsonb NOT NULL,
  attempts        integer NOT NULL DEFAULT 0,
  last_error      text,
  next_attempt_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX journal_outbox_due_idx ON journal_outbox (next_attempt_at) WHERE status IN ('pending', 'sent');

CREATE TABLE audit_events (
  id            bigserial PRIMARY KEY,
  at            timestamptz NOT NULL DEFAULT now(),
  actor_user_id text,
  actor_role    text,
  action        text NOT NULL,
  entity_type   text NOT NULL,
  entity_id     text,
  resident_id   text,
  outcome       text NOT NULL,
  detail        jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_events_resident_idx ON audit_events (resident_id, at);

-- Append-only: the trail cannot be edited or pruned through the application's connection.
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only';
END
$$;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();

-- Down Migration
DROP TRIGGER audit_events_no_update ON audit_events;
DROP FUNCTION audit_events_append_only();
DROP TABLE audit_events;
DROP TABLE journal_outbox;
