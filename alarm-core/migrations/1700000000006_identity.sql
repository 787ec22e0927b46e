-- Up Migration
-- Identity: people who sign in through the municipality's identity provider (OpenID Connect) are
-- linked to their Trygg account by the provider's subject, and need no local password; local
-- accounts lock after repeated failures; API clients (other municipal systems) get scoped rights.

ALTER TABLE users ALTER COLUMN password_hash DROP NOT NULL;
ALTER TABLE users ADD COLUMN external_subject text UNIQUE;
ALTER TABLE users ADD COLUMN failed_logins integer NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_until timestamptz;

CREATE TABLE api_clients (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  -- scrypt, like device secrets; null for a client that only comes with the provider's tokens.
  secret_hash text,
  scopes      text[] NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);

-- Down Migration
DROP TABLE api_clients;
ALTER TABLE users DROP COLUMN locked_until;
ALTER TABLE users DROP COLUMN failed_logins;
ALTER TABLE users DROP COLUMN external_subject;
UPDATE users SET password_hash = '!' WHERE password_hash IS NULL;
ALTER TABLE users ALTER COLUMN password_hash SET NOT NULL;
