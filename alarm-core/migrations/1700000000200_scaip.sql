-- Up Migration
-- SCAIP units (SS 91100 over SIP): per-device digest credentials, the unit's controller id, the
-- reply mode; per-site reply settings; and the receiver's sessions (cid + ref), so a resend is
-- the same event on every node and after a restart.

-- HA1 = MD5(username:realm:password) (RFC 2617 §3.2.2.2), never the password itself: enough to
-- verify a digest, not enough to log in anywhere else with another realm.
ALTER TABLE devices
  ADD COLUMN sip_username      text UNIQUE,
  ADD COLUMN sip_realm         text,
  ADD COLUMN sip_ha1           text CHECK (sip_ha1 ~ '^[0-9a-f]{32}$'),
  ADD COLUMN scaip_cid         text CHECK (scaip_cid ~ '^[0-9]{1,32}$'),
  -- Some units expect <mrs> in the 200 OK body instead of a new MESSAGE (field deviation).
  ADD COLUMN scaip_reply_in_ok boolean NOT NULL DEFAULT false;

-- What a site answers its units: mre (voice), cre (callback window), hbi (heartbeat interval),
-- and how long an alarm may be held (snu=4) while nobody has accepted it. The nearest site
-- upwards from the device's site (or its resident's home) with a row wins.
CREATE TABLE scaip_site_settings (
  site_id           text PRIMARY KEY REFERENCES sites (id) ON DELETE CASCADE,
  voice_mode        smallint NOT NULL DEFAULT 1 CHECK (voice_mode BETWEEN 0 AND 3),
  callback_minutes  smallint CHECK (callback_minutes BETWEEN 1 AND 60),
  heartbeat_minutes smallint CHECK (heartbeat_minutes BETWEEN 1 AND 1440),
  hold_max_s        integer NOT NULL DEFAULT 120 CHECK (hold_max_s BETWEEN 0 AND 1800),
  updated_at        timestamptz NOT NULL DEFAULT now()
);

-- One row per unit session. A ref seen again within the session lifetime is a resend (same
-- events); a ref reused after the lifetime starts a new session (units recycle short refs).
CREATE TABLE scaip_sessions (
  device_id   text NOT NULL REFERENCES devices (id),
  cid         text NOT NULL,
  ref         text NOT NULL,
  session_id  text NOT NULL,
  first_seen  timestamptz NOT NULL DEFAULT now(),
  last_seen   timestamptz NOT NULL DEFAULT now(),
  aborted_at  timestamptz,
  PRIMARY KEY (device_id, cid, ref)
);

-- The receiver finds the alarm an event opened or joined (to answer hold or handled).
CREATE INDEX alarms_device_opened_idx ON alarms (device_id, opened_at DESC);

-- Down Migration
DROP INDEX alarms_device_opened_idx;
DROP TABLE scaip_sessions;
DROP TABLE scaip_site_settings;
ALTER TABLE devices
  DROP COLUMN scaip_reply_in_ok,
  DROP COLUMN scaip_cid,
  DROP COLUMN sip_ha1,
  DROP COLUMN sip_realm,
  DROP COLUMN sip_username;
