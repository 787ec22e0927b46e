-- Up Migration
-- Notification delivery with a lease (alarm-core/src/engine/outbox.ts). A deliverer claims a
-- notification before it sends it: the claim counts the attempt and moves next_attempt_at past
-- the lease, so nobody else takes it while it is being delivered. It is marked `sent` as soon as
-- it is delivered; a failure schedules the next attempt (exponential backoff) or, after the last
-- attempt or a refusal for good, marks it `failed` with the reason, for the next channel to pick
-- up. Only a claim whose lease lapsed (a crashed or stalled deliverer) is delivered again.
ALTER TABLE notifications
  ADD COLUMN state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
  ADD COLUMN next_attempt_at timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN last_error text,
  ADD COLUMN failed_at timestamptz;
UPDATE notifications SET state = 'sent' WHERE sent_at IS NOT NULL;
DROP INDEX notifications_unsent_idx;
CREATE INDEX notifications_due_idx ON notifications (next_attempt_at) WHERE state = 'pending';

-- Down Migration
DROP INDEX notifications_due_idx;
CREATE INDEX notifications_unsent_idx ON notifications (created_at) WHERE sent_at IS NULL;
ALTER TABLE notifications DROP COLUMN failed_at, DROP COLUMN last_error, DROP COLUMN next_attempt_at, DROP COLUMN state;
