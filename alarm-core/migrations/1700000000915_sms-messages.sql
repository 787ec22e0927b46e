-- Up Migration
-- The SMS channel (dashboard/src/sms): every text handed to the SMS gateway, so a delivery
-- receipt finds its notification by the gateway's message id and a reply finds the alert it
-- answers by the phone number and the alarm's short code. Confirmations and help texts sent
-- back to a reply are kept too (notification_id null), so their receipts are recognised.
CREATE TABLE sms_messages (
  id              bigserial PRIMARY KEY,
  message_id      text NOT NULL,
  notification_id text REFERENCES notifications (id) ON DELETE CASCADE,
  alarm_id        uuid,
  -- The Recipient as the alarm's roster named them (id, name, kind, userId).
  recipient       jsonb,
  -- E.164, as submitted.
  phone           text NOT NULL,
  code            text,
  kind            text NOT NULL CHECK (kind IN ('alert', 'inform', 'taken', 'closed', 'check', 'reply')),
  sent_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sms_messages_message_idx ON sms_messages (message_id);
CREATE INDEX sms_messages_phone_idx ON sms_messages (phone, sent_at DESC) WHERE kind = 'alert';
CREATE INDEX sms_messages_notification_idx ON sms_messages (notification_id);

-- Replies (mobile-originated messages) once each: the gateway may deliver one twice.
CREATE TABLE sms_replies (
  key         text PRIMARY KEY,
  phone       text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  outcome     text
);
CREATE INDEX sms_replies_received_idx ON sms_replies (received_at);

-- Down Migration
DROP TABLE sms_replies;
DROP TABLE sms_messages;
