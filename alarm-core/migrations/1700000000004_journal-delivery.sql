-- Up Migration
-- Journal delivery: where an accepted (202) entry can be followed up, when it was journaled, and
-- every attempt with its outcome (for administrators and for the backlog alert).

ALTER TABLE journal_outbox ADD COLUMN location text;
ALTER TABLE journal_outbox ADD COLUMN journaled_at timestamptz;

CREATE TABLE journal_attempts (
  id          bigserial PRIMARY KEY,
  alarm_id    uuid NOT NULL REFERENCES journal_outbox (alarm_id),
  at          timestamptz NOT NULL DEFAULT now(),
  outcome     text NOT NULL CHECK (outcome IN ('journaled', 'accepted', 'pending', 'retry', 'rejected')),
  http_status integer,
  error       text,
  duration_ms integer NOT NULL
);
CREATE INDEX journal_attempts_alarm_idx ON journal_attempts (alarm_id, at);

-- Down Migration
DROP TABLE journal_attempts;
ALTER TABLE journal_outbox DROP COLUMN journaled_at;
ALTER TABLE journal_outbox DROP COLUMN location;
