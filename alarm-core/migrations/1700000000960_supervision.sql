-- Up Migration
-- Supervision without storms (docs/supervision.md): the service's own life as facts, so that a
-- restart or an ingress outage gives devices a grace period instead of offline alarms; a fleet
-- going silent at once as one incident; the monthly user test of an alarm button.

-- The service's own events: started (with `since`, when this node was last known running: its
-- outage), stopped, a device ingress lost and restored (with `since`, when it was lost).
-- The table is the self-test's (migration 940, whose chain-failing / chain-late / chain-restored
-- events it keeps): one table for everything the service records of itself.
ALTER TABLE service_events
  ADD COLUMN node text,
  ADD COLUMN ingress text CHECK (ingress IN ('mqtt', 'scaip')),
  ADD COLUMN since timestamptz;
UPDATE service_events SET node = '' WHERE node IS NULL;
ALTER TABLE service_events ALTER COLUMN node SET NOT NULL;
ALTER TABLE service_events DROP CONSTRAINT service_events_kind_check;
ALTER TABLE service_events ADD CONSTRAINT service_events_kind_check CHECK (kind IN (
  'chain-failing', 'chain-late', 'chain-restored', 'started', 'stopped', 'ingress-lost', 'ingress-restored'));

-- Per node and device protocol: whether its ingress is up, since when (the grace period's anchor)
-- and when it was last known so (refreshed every few seconds; a stale mark means the node is gone,
-- whether it stopped or was killed).
CREATE TABLE service_ingress (
  node     text NOT NULL,
  protocol text NOT NULL CHECK (protocol IN ('mqtt', 'scaip')),
  up       boolean NOT NULL,
  up_since timestamptz,
  alive_at timestamptz NOT NULL,
  PRIMARY KEY (node, protocol)
);

-- The devices a supervision incident stands for (the incident is an alarm of the device
-- `trygg-system`, Trygg itself, made with the first incident: alarm-core/src/engine/incident.ts), instead of an offline alarm each.
CREATE TABLE supervision_incident_devices (
  alarm_id     uuid NOT NULL REFERENCES alarms (id),
  device_id    text NOT NULL REFERENCES devices (id),
  last_seen_at timestamptz NOT NULL,
  joined_at    timestamptz NOT NULL DEFAULT now(),
  back_at      timestamptz,
  PRIMARY KEY (alarm_id, device_id)
);
CREATE INDEX supervision_incident_devices_silent_idx ON supervision_incident_devices (device_id) WHERE back_at IS NULL;

-- Signs of life per device in time order: supervision quality (share of heartbeat slots heard, longest silence).
CREATE INDEX device_events_seen_idx ON device_events (device_id, received_at);

-- The monthly user test: a press the resident makes with the response centre, marked by the operator.
CREATE TABLE user_tests (
  id          bigserial PRIMARY KEY,
  device_id   text NOT NULL REFERENCES devices (id),
  resident_id text REFERENCES residents (id) ON DELETE SET NULL,
  alarm_id    uuid REFERENCES alarms (id),
  at          timestamptz NOT NULL,
  recorded_by text REFERENCES users (id) ON DELETE SET NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (alarm_id)
);
CREATE INDEX user_tests_device_idx ON user_tests (device_id, at DESC);

-- Down Migration
DROP TABLE user_tests;
DROP INDEX device_events_seen_idx;
DROP TABLE supervision_incident_devices;
DROP TABLE service_ingress;
DELETE FROM service_events WHERE kind NOT IN ('chain-failing', 'chain-late', 'chain-restored');
ALTER TABLE service_events DROP CONSTRAINT service_events_kind_check;
ALTER TABLE service_events ADD CONSTRAINT service_events_kind_check CHECK (kind IN ('chain-failing', 'chain-late', 'chain-restored'));
ALTER TABLE service_events DROP COLUMN since, DROP COLUMN ingress, DROP COLUMN node;
