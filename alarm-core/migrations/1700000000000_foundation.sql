-- Up Migration
-- Foundation schema: people, places, devices, alarms with their timeline, the device inbox,
-- processed input ids and telemetry. Later migrations deepen it; never edit a shipped one.

CREATE TABLE settings (
  key        text PRIMARY KEY,
  value      jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Homes and institutions as one tree: institution → building → floor → room; a home is a leaf.
CREATE TABLE sites (
  id         text PRIMARY KEY,
  kind       text NOT NULL CHECK (kind IN ('home', 'institution', 'building', 'floor', 'room')),
  parent_id  text REFERENCES sites (id),
  name       text NOT NULL,
  address    text,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((kind IN ('home', 'institution')) = (parent_id IS NULL))
);
CREATE INDEX sites_parent_idx ON sites (parent_id);

CREATE TABLE users (
  id            text PRIMARY KEY,
  username      text NOT NULL UNIQUE,
  display_name  text NOT NULL,
  password_hash text NOT NULL,
  roles         text[] NOT NULL CHECK (roles <@ ARRAY['operator', 'staff', 'technician', 'relative', 'admin']::text[]),
  locale        text NOT NULL DEFAULT 'nb',
  created_at    timestamptz NOT NULL DEFAULT now()
);

-- Staff work at sites (an institution, or a floor of it).
CREATE TABLE staff_sites (
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  site_id text NOT NULL REFERENCES sites (id),
  PRIMARY KEY (user_id, site_id)
);

CREATE TABLE residents (
  id           text PRIMARY KEY,
  national_id  text UNIQUE,
  name         text NOT NULL,
  site_id      text NOT NULL REFERENCES sites (id),
  language     text NOT NULL DEFAULT 'nb',
  key_safe     text,
  notes        text,
  created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE relatives (
  id          text PRIMARY KEY,
  resident_id text NOT NULL REFERENCES residents (id) ON DELETE CASCADE,
  user_id     text REFERENCES users (id),
  name        text NOT NULL,
  phone       text,
  relation    text,
  chain_order integer NOT NULL DEFAULT 1,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX relatives_resident_idx ON relatives (resident_id, chain_order);

CREATE TABLE devices (
  id                   text PRIMARY KEY,
  kind                 text NOT NULL,
  vendor               text,
  model                text,
  serial               text NOT NULL UNIQUE,
  protocol             text NOT NULL CHECK (protocol IN ('mqtt', 'scaip')),
  secret_hash          text,
  status               text NOT NULL DEFAULT 'in_stock'
                         CHECK (status IN ('in_stock', 'installed', 'active', 'faulty', 'returned')),
  heartbeat_interval_s integer NOT NULL DEFAULT 900 CHECK (heartbeat_interval_s BETWEEN 10 AND 86400),
  resident_id          text REFERENCES residents (id),
  site_id              text REFERENCES sites (id),
  last_seen_at         timestamptz,
  created_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX devices_resident_idx ON devices (resident_id);

-- The device inbox: an event is acknowledged to the device only after its row commits.
-- (device_id, event_id) is the idempotency key: a resend is a no-op.
CREATE TABLE device_events (
  device_id    text NOT NULL REFERENCES devices (id),
  event_id     text NOT NULL,
  type         text NOT NULL,
  ts           timestamptz NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now(),
  payload      jsonb NOT NULL,
  processed_at timestamptz,
  PRIMARY KEY (device_id, event_id)
);
CREATE INDEX device_events_unprocessed_idx ON device_events (received_at) WHERE processed_at IS NULL;

CREATE TABLE alarms (
  id          uuid PRIMARY KEY,
  device_id   text NOT NULL REFERENCES devices (id),
  resident_id text REFERENCES residents (id),
  site_id     text REFERENCES sites (id),
  type        text NOT NULL,
  state       text NOT NULL CHECK (state IN ('open', 'claimed', 'resolved', 'cancelled')),
  priority    integer NOT NULL,
  opened_at   timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL,
  closed_at   timestamptz,
  version     integer NOT NULL,
  doc         jsonb NOT NULL
);
-- At most one open alarm per device: repeated presses join it.
CREATE UNIQUE INDEX alarms_one_open_per_device ON alarms (device_id) WHERE state IN ('open', 'claimed');
CREATE INDEX alarms_queue_idx ON alarms (priority DESC, opened_at) WHERE state IN ('open', 'claimed');
CREATE INDEX alarms_resident_idx ON alarms (resident_id, opened_at DESC);

-- Every state change, in commit order. seq is the live stream's resume point.
CREATE TABLE alarm_timeline (
  seq      bigserial PRIMARY KEY,
  alarm_id uuid NOT NULL REFERENCES alarms (id),
  at       timestamptz NOT NULL,
  kind     text NOT NULL,
  actor    jsonb,
  data     jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX alarm_timeline_alarm_idx ON alarm_timeline (alarm_id, seq);

-- Every input (device event, command, timer) applied to an alarm, once.
CREATE TABLE processed_inputs (
  input_id     text PRIMARY KEY,
  alarm_id     uuid,
  fingerprint  text NOT NULL,
  result       jsonb NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE telemetry (
  time      timestamptz NOT NULL,
  device_id text NOT NULL,
  metric    text NOT NULL,
  value     double precision NOT NULL
);
CREATE INDEX telemetry_device_time_idx ON telemetry (device_id, metric, time DESC);

-- With TimescaleDB present (production, docker-compose.yml) telemetry becomes a hypertable;
-- on plain PostgreSQL (embedded default, tests) it stays a plain table.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb') THEN
    BEGIN
      CREATE EXTENSION IF NOT EXISTS timescaledb;
      PERFORM create_hypertable('telemetry', 'time', chunk_time_interval => interval '1 day');
    EXCEPTION WHEN OTHERS THEN
      RAISE NOTICE 'timescaledb present but not usable (%); telemetry stays a plain table', SQLERRM;
    END;
  END IF;
END
$$;

-- Down Migration
DROP TABLE telemetry;
DROP TABLE processed_inputs;
DROP TABLE alarm_timeline;
DROP TABLE alarms;
DROP TABLE device_events;
DROP TABLE devices;
DROP TABLE relatives;
DROP TABLE residents;
DROP TABLE staff_sites;
DROP TABLE users;
DROP TABLE sites;
DROP TABLE settings;
