-- Up Migration
-- Reaching a person (alarm-core/src/contracts/reach.ts): each person's channels in the order they
-- are tried, a phone number for staff and technicians (relatives already have one), and the facts
-- recorded about every notification on every channel it travelled.
ALTER TABLE users ADD COLUMN phone text;
ALTER TABLE users ADD COLUMN channels text[] NOT NULL DEFAULT '{push,sms}'
  CHECK (channels <@ ARRAY['push', 'sms', 'call']::text[]);
ALTER TABLE relatives ADD COLUMN channels text[] NOT NULL DEFAULT '{push,sms}'
  CHECK (channels <@ ARRAY['push', 'sms', 'call']::text[]);

CREATE TABLE notification_deliveries (
  id              bigserial PRIMARY KEY,
  notification_id text NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
  alarm_id        uuid NOT NULL,
  recipient_id    text NOT NULL,
  channel         text NOT NULL CHECK (channel IN ('push', 'sms', 'call', 'console')),
  state           text NOT NULL CHECK (state IN ('sent', 'delivered', 'seen', 'answered', 'failed')),
  reason          text,
  at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notification_deliveries_alarm_idx ON notification_deliveries (alarm_id, at);
CREATE INDEX notification_deliveries_notification_idx ON notification_deliveries (notification_id, at);

-- Down Migration
DROP TABLE notification_deliveries;
ALTER TABLE relatives DROP COLUMN channels;
ALTER TABLE users DROP COLUMN channels, DROP COLUMN phone;
