-- Up Migration
-- A cancel that arrives before its alarm (UDP reordering, a unit's SIP retransmission of the
-- alarm overtaken by its cancel) is held here for a short while; the alarm it belongs to is
-- cancelled the moment it arrives, and its timeline says so. Consumed once, in the engine's
-- transaction that opens the alarm.
CREATE TABLE pending_cancels (
  device_id   text NOT NULL REFERENCES devices (id),
  event_id    text NOT NULL,
  received_at timestamptz NOT NULL,
  sub_device  text,
  PRIMARY KEY (device_id, event_id)
);

-- A SCAIP session ends when the unit has been told `snu=0` (it drops the ref, SS 91100): the
-- same ref afterwards is a new session (units restart and wrap their ref counters).
ALTER TABLE scaip_sessions ADD COLUMN ended_at timestamptz;

-- Down Migration
ALTER TABLE scaip_sessions DROP COLUMN ended_at;
DROP TABLE pending_cancels;
