-- Up Migration
-- Web push: one subscription per user and device (browser installation). The endpoint is the
-- push service's URL for that installation; p256dh and auth are the keys the browser gave
-- (RFC 8291 §2.1). The VAPID key pair lives in `settings` ('vapid.keys'), made on first start.
CREATE TABLE push_subscriptions (
  id          text PRIMARY KEY,
  user_id     text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  device      text NOT NULL,
  endpoint    text NOT NULL UNIQUE,
  p256dh      text NOT NULL,
  auth        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  last_ok_at  timestamptz,
  failures    integer NOT NULL DEFAULT 0,
  UNIQUE (user_id, device)
);
CREATE INDEX push_subscriptions_user_idx ON push_subscriptions (user_id);

-- Down Migration
DROP TABLE push_subscriptions;
