-- Up Migration
-- The journal outbox holds more than closed alarms: a medication dispenser's "dose handed out"
-- is journaled too (as a MedicationDispense), with no alarm behind it. An entry is now keyed by
-- its own id (an alarm's entry keeps the alarm's id; a device event's is a name-based UUID of
-- device and event id), says what kind it is, and names its alarm when it has one.

ALTER TABLE journal_attempts DROP CONSTRAINT journal_attempts_alarm_id_fkey;
ALTER TABLE journal_outbox DROP CONSTRAINT journal_outbox_alarm_id_fkey;
ALTER TABLE journal_outbox RENAME COLUMN alarm_id TO entry_id;
ALTER TABLE journal_attempts RENAME COLUMN alarm_id TO entry_id;
ALTER INDEX journal_attempts_alarm_idx RENAME TO journal_attempts_entry_idx;
ALTER TABLE journal_attempts ADD FOREIGN KEY (entry_id) REFERENCES journal_outbox (entry_id);

ALTER TABLE journal_outbox ADD COLUMN kind text NOT NULL DEFAULT 'alarm' CHECK (kind IN ('alarm', 'dispenser'));
ALTER TABLE journal_outbox ADD COLUMN alarm_id uuid REFERENCES alarms (id);
ALTER TABLE journal_outbox ADD COLUMN resident_id text;
UPDATE journal_outbox SET alarm_id = entry_id, resident_id = record #>> '{subject,residentId}';
ALTER TABLE journal_outbox ADD CONSTRAINT journal_outbox_alarm_kind CHECK ((kind = 'alarm') = (alarm_id IS NOT NULL));
CREATE UNIQUE INDEX journal_outbox_alarm_idx ON journal_outbox (alarm_id) WHERE alarm_id IS NOT NULL;
-- The administrators' list: newest first, undelivered ones found without a scan.
CREATE INDEX journal_outbox_created_idx ON journal_outbox (created_at DESC);
CREATE INDEX journal_outbox_undelivered_idx ON journal_outbox (created_at) WHERE status <> 'journaled';

-- Down Migration
DROP INDEX journal_outbox_undelivered_idx;
DROP INDEX journal_outbox_created_idx;
DROP INDEX journal_outbox_alarm_idx;
ALTER TABLE journal_outbox DROP CONSTRAINT journal_outbox_alarm_kind;
DELETE FROM journal_attempts a USING journal_outbox o WHERE a.entry_id = o.entry_id AND o.kind <> 'alarm';
DELETE FROM journal_outbox WHERE kind <> 'alarm';
ALTER TABLE journal_outbox DROP COLUMN resident_id;
ALTER TABLE journal_outbox DROP COLUMN alarm_id;
ALTER TABLE journal_outbox DROP COLUMN kind;
ALTER TABLE journal_attempts DROP CONSTRAINT journal_attempts_entry_id_fkey;
ALTER INDEX journal_attempts_entry_idx RENAME TO journal_attempts_alarm_idx;
ALTER TABLE journal_attempts RENAME COLUMN entry_id TO alarm_id;
ALTER TABLE journal_outbox RENAME COLUMN entry_id TO alarm_id;
ALTER TABLE journal_outbox ADD FOREIGN KEY (alarm_id) REFERENCES alarms (id);
ALTER TABLE journal_attempts ADD FOREIGN KEY (alarm_id) REFERENCES journal_outbox (alarm_id);
