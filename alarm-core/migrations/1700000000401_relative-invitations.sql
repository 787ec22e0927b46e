-- Up Migration
-- Relatives sign in by an invitation link an administrator makes: single use, expiring. Only
-- the SHA-256 of the link's token is kept, so a database reader cannot sign in with it.
CREATE TABLE relative_invitations (
  id          text PRIMARY KEY,
  relative_id text NOT NULL REFERENCES relatives (id) ON DELETE CASCADE,
  token_hash  text NOT NULL UNIQUE,
  created_by  text REFERENCES users (id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz
);
CREATE INDEX relative_invitations_relative_idx ON relative_invitations (relative_id);

-- Down Migration
DROP TABLE relative_invitations;
