-- Up Migration
-- Walking a notification through its person's channels (alarm-core/src/engine/deliverer.ts):
-- which channel of the recipient's `reach` it is on (channel_index, channel), since when
-- (channel_started_at: the receipt window bounds retries on this channel), the channel's own
-- reference (channel_ref), and, once handed over, until when it waits for a delivery receipt
-- (state `awaiting`, receipt_due_at = next_attempt_at): a receipt marks it `sent`, a failed
-- receipt or the deadline moves it to the next channel. All of it in the row, so a restart or
-- another node carries on where the last one stopped.
ALTER TABLE notifications DROP CONSTRAINT notifications_state_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_state_check CHECK (state IN ('pending', 'awaiting', 'sent', 'failed'));
ALTER TABLE notifications
  ADD COLUMN channel_index integer NOT NULL DEFAULT 0,
  ADD COLUMN channel text,
  ADD COLUMN channel_started_at timestamptz,
  ADD COLUMN channel_ref text,
  ADD COLUMN receipt_due_at timestamptz;
DROP INDEX notifications_due_idx;
CREATE INDEX notifications_due_idx ON notifications (next_attempt_at) WHERE state IN ('pending', 'awaiting');

-- Who can be reached changes the roster: a phone number or channel list edited, a push
-- subscription made or gone.
DROP TRIGGER users_directory ON users;
CREATE TRIGGER users_directory AFTER INSERT OR UPDATE OF display_name, roles, phone, channels OR DELETE ON users
  FOR EACH STATEMENT EXECUTE FUNCTION trygg_directory_changed();
CREATE TRIGGER push_subscriptions_directory AFTER INSERT OR DELETE ON push_subscriptions
  FOR EACH STATEMENT EXECUTE FUNCTION trygg_directory_changed();

-- Down Migration
DROP TRIGGER push_subscriptions_directory ON push_subscriptions;
DROP TRIGGER users_directory ON users;
CREATE TRIGGER users_directory AFTER INSERT OR UPDATE OF display_name, roles OR DELETE ON users
  FOR EACH STATEMENT EXECUTE FUNCTION trygg_directory_changed();
DROP INDEX notifications_due_idx;
CREATE INDEX notifications_due_idx ON notifications (next_attempt_at) WHERE state = 'pending';
ALTER TABLE notifications DROP COLUMN receipt_due_at, DROP COLUMN channel_ref, DROP COLUMN channel_started_at,
  DROP COLUMN channel, DROP COLUMN channel_index;
UPDATE notifications SET state = 'sent' WHERE state = 'awaiting';
ALTER TABLE notifications DROP CONSTRAINT notifications_state_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_state_check CHECK (state IN ('pending', 'sent', 'failed'));
