-- Up Migration
-- The registry (issue 6): what responders need about a resident, relatives' availability and
-- consent, staff shifts, device details and SCAIP digest credentials, installations and their
-- verified test alarms. The site tree (institution → building → floor → room; home) exists
-- since the foundation; here its levels are enforced.

-- Residents: where to go and how to get in, what responders should know, consent to the service.
ALTER TABLE residents
  ADD COLUMN address          text,
  ADD COLUMN digital_lock     text,
  ADD COLUMN consent_at       timestamptz,
  ADD COLUMN consent_by       text,
  ADD COLUMN updated_at       timestamptz NOT NULL DEFAULT now();

-- Relatives: a daily window in which they are not asked (e.g. 22:00–07:00 "not at night";
-- the window may wrap midnight, local time of the installation), and the resident's consent to
-- sharing alarms with them, recorded with who recorded it and when.
ALTER TABLE relatives
  ADD COLUMN email             text,
  ADD COLUMN unavailable_from  time,
  ADD COLUMN unavailable_to    time,
  ADD COLUMN consent_at        timestamptz,
  ADD COLUMN consent_by        text,
  ADD CONSTRAINT relatives_window_check CHECK ((unavailable_from IS NULL) = (unavailable_to IS NULL));

-- Every level of the site tree hangs under the level above it.
CREATE FUNCTION sites_check_parent() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  parent_kind text;
BEGIN
  IF NEW.parent_id IS NULL THEN
    RETURN NEW;
  END IF;
  SELECT kind INTO parent_kind FROM sites WHERE id = NEW.parent_id;
  IF parent_kind IS NULL OR (NEW.kind, parent_kind) NOT IN (('building', 'institution'), ('floor', 'building'), ('room', 'floor')) THEN
    RAISE EXCEPTION 'a % cannot hang under a %', NEW.kind, coalesce(parent_kind, 'missing site')
      USING ERRCODE = '23514', CONSTRAINT = 'sites_parent_level';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER sites_parent_level BEFORE INSERT OR UPDATE OF kind, parent_id ON sites
  FOR EACH ROW EXECUTE FUNCTION sites_check_parent();

-- Staff shifts: when a staff member is on duty at a site (institution, building or floor).
-- Staff with no shift at all are treated as always on duty (small sites that do not plan shifts).
CREATE TABLE staff_shifts (
  id        bigserial PRIMARY KEY,
  user_id   text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  site_id   text NOT NULL REFERENCES sites (id),
  starts_at timestamptz NOT NULL,
  ends_at   timestamptz NOT NULL,
  CHECK (ends_at > starts_at)
);
CREATE INDEX staff_shifts_user_idx ON staff_shifts (user_id, ends_at);
CREATE INDEX staff_shifts_site_idx ON staff_shifts (site_id, ends_at);

-- Devices: firmware, when the credentials were revoked. (SCAIP digest credentials — user, realm,
-- HA1 = MD5(user:realm:password) — are the SCAIP migration's columns.)
ALTER TABLE devices
  ADD COLUMN firmware    text,
  ADD COLUMN revoked_at  timestamptz,
  ADD COLUMN updated_at  timestamptz NOT NULL DEFAULT now();

-- An installation: a device at a resident (home) and / or a room, by whom, when, where in the
-- home, with its settings. The device row keeps resident_id / site_id of its current installation
-- (what the directory and the engine read); a swap ends one installation and starts its copy.
CREATE TABLE installations (
  id            text PRIMARY KEY,
  device_id     text NOT NULL REFERENCES devices (id),
  resident_id   text REFERENCES residents (id),
  site_id       text REFERENCES sites (id),
  location      text,
  settings      jsonb NOT NULL DEFAULT '{}',
  installed_by  text REFERENCES users (id),
  installed_at  timestamptz NOT NULL DEFAULT now(),
  ended_at      timestamptz,
  end_reason    text CHECK (end_reason IN ('swapped', 'removed')),
  replaces_id   text REFERENCES installations (id),
  CHECK (resident_id IS NOT NULL OR site_id IS NOT NULL)
);
CREATE UNIQUE INDEX installations_one_current ON installations (device_id) WHERE ended_at IS NULL;
CREATE INDEX installations_resident_idx ON installations (resident_id) WHERE ended_at IS NULL;

-- A verified-installation test: started by the technician, passed by a `test` event from the
-- device within the deadline, else failed. Battery and signal are those at the moment of the test.
CREATE TABLE installation_tests (
  id              text PRIMARY KEY,
  installation_id text NOT NULL REFERENCES installations (id),
  device_id       text NOT NULL REFERENCES devices (id),
  started_by      text REFERENCES users (id),
  started_at      timestamptz NOT NULL DEFAULT now(),
  deadline        timestamptz NOT NULL,
  status          text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'passed', 'failed')),
  finished_at     timestamptz,
  duration_ms     integer,
  event_id        text,
  battery         double precision,
  rssi            double precision
);
CREATE UNIQUE INDEX installation_tests_one_running ON installation_tests (device_id) WHERE status = 'running';
CREATE INDEX installation_tests_installation_idx ON installation_tests (installation_id, started_at DESC);

-- A test event tells the test watcher at once (it also sweeps, so a lost notice only delays).
CREATE FUNCTION trygg_device_test_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('trygg_device_test', NEW.device_id);
  RETURN NULL;
END
$$;
CREATE TRIGGER device_events_test AFTER INSERT ON device_events
  FOR EACH ROW WHEN (NEW.type = 'test') EXECUTE FUNCTION trygg_device_test_event();
CREATE INDEX device_events_test_idx ON device_events (device_id, received_at) WHERE type = 'test';

-- The directory cache listens for these too.
CREATE TRIGGER staff_shifts_directory AFTER INSERT OR UPDATE OR DELETE ON staff_shifts
  FOR EACH STATEMENT EXECUTE FUNCTION trygg_directory_changed();
CREATE TRIGGER installations_directory AFTER INSERT OR UPDATE OR DELETE ON installations
  FOR EACH STATEMENT EXECUTE FUNCTION trygg_directory_changed();

-- Down Migration
DROP TRIGGER installations_directory ON installations;
DROP TRIGGER staff_shifts_directory ON staff_shifts;
DROP INDEX device_events_test_idx;
DROP TRIGGER device_events_test ON device_events;
DROP FUNCTION trygg_device_test_event();
DROP TABLE installation_tests;
DROP TABLE installations;
ALTER TABLE devices DROP COLUMN firmware, DROP COLUMN revoked_at, DROP COLUMN updated_at;
DROP TABLE staff_shifts;
DROP TRIGGER sites_parent_level ON sites;
DROP FUNCTION sites_check_parent();
ALTER TABLE relatives DROP CONSTRAINT relatives_window_check, DROP COLUMN email, DROP COLUMN unavailable_from,
  DROP COLUMN unavailable_to, DROP COLUMN consent_at, DROP COLUMN consent_by;
ALTER TABLE residents DROP COLUMN address, DROP COLUMN digital_lock, DROP COLUMN consent_at, DROP COLUMN consent_by,
  DROP COLUMN updated_at;
