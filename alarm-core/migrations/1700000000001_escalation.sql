-- Up Migration
-- Escalation: the arrived state, care vs technical alarms per device, durable timers, the
-- notification outbox and escalation policies.

ALTER TABLE alarms DROP CONSTRAINT alarms_state_check;
ALTER TABLE alarms ADD CONSTRAINT alarms_state_check
  CHECK (state IN ('open', 'claimed', 'arrived', 'resolved', 'cancelled'));
ALTER TABLE alarms ADD COLUMN class text NOT NULL DEFAULT 'care' CHECK (class IN ('care', 'technical'));

-- One open care alarm and one open technical alarm per device: a press never joins a battery alarm.
DROP INDEX alarms_one_open_per_device;
CREATE UNIQUE INDEX alarms_one_open_per_device ON alarms (device_id, class) WHERE state IN ('open', 'claimed', 'arrived');
DROP INDEX alarms_queue_idx;
CREATE INDEX alarms_queue_idx ON alarms (priority DESC, opened_at) WHERE state IN ('open', 'claimed', 'arrived');

-- A timer is a row with a due time; its token is also in the alarm's document, and a fired
-- timer is deleted in the same transaction that applies it (exactly once across nodes).
CREATE TABLE alarm_timers (
  token    text PRIMARY KEY,
  alarm_id uuid NOT NULL REFERENCES alarms (id),
  kind     text NOT NULL CHECK (kind IN ('step', 'realert', 'follow-up')),
  due_at   timestamptz NOT NULL
);
CREATE INDEX alarm_timers_due_idx ON alarm_timers (due_at);
CREATE INDEX alarm_timers_alarm_idx ON alarm_timers (alarm_id);

-- Every alert, withdrawal and notice to a person, written with the change that caused it and
-- delivered after commit (again after a crash: the id lets the receiver show it once).
CREATE TABLE notifications (
  id         text PRIMARY KEY,
  alarm_id   uuid NOT NULL REFERENCES alarms (id),
  recipient  jsonb NOT NULL,
  kind       text NOT NULL,
  step       integer NOT NULL,
  payload    jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at    timestamptz,
  attempts   integer NOT NULL DEFAULT 0
);
CREATE INDEX notifications_unsent_idx ON notifications (created_at) WHERE sent_at IS NULL;
CREATE INDEX notifications_alarm_idx ON notifications (alarm_id);

-- Chains attached to a resident, a site (any level) or an alarm type; most specific wins.
CREATE TABLE escalation_policies (
  id         bigserial PRIMARY KEY,
  scope      text NOT NULL CHECK (scope IN ('resident', 'site', 'alarm-type')),
  scope_id   text NOT NULL,
  alarm_type text,
  chain      jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE NULLS NOT DISTINCT (scope, scope_id, alarm_type)
);

-- Down Migration
DROP TABLE escalation_policies;
DROP TABLE notifications;
DROP TABLE alarm_timers;
DROP INDEX alarms_queue_idx;
CREATE INDEX alarms_queue_idx ON alarms (priority DESC, opened_at) WHERE state IN ('open', 'claimed');
DROP INDEX alarms_one_open_per_device;
CREATE UNIQUE INDEX alarms_one_open_per_device ON alarms (device_id) WHERE state IN ('open', 'claimed');
ALTER TABLE alarms DROP COLUMN class;
ALTER TABLE alarms DROP CONSTRAINT alarms_state_check;
ALTER TABLE alarms ADD CONSTRAINT alarms_state_check CHECK (state IN ('open', 'claimed', 'resolved', 'cancelled'));
