-- Up Migration
-- "Break the glass": time-limited elevated access to one resident's full record, with a stated
-- reason, for someone whose role does not normally see all of it (an operator who needs the key
-- safe with no claimed alarm). Every grant is audited and announced to the administrators.
CREATE TABLE access_grants (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id     text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  resident_id text NOT NULL REFERENCES residents (id),
  reason      text NOT NULL CHECK (length(reason) >= 10),
  granted_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL CHECK (expires_at > granted_at)
);
CREATE INDEX access_grants_active_idx ON access_grants (user_id, resident_id, expires_at);

-- Down Migration
DROP TABLE access_grants;
