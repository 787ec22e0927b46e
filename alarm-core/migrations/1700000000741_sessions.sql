-- Up Migration
-- Sessions that can end before their token runs out. Every sign-in token carries its account's
-- session epoch; changing the account's password, roles or linked identity moves the epoch on
-- (a trigger, so the CLI and plain SQL count too) and every older token is refused. Signing out
-- revokes one token by its id until it would have run out anyway; erasing the account ends all.

ALTER TABLE users ADD COLUMN session_epoch integer NOT NULL DEFAULT 0;

CREATE FUNCTION trygg_users_session_epoch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.password_hash IS DISTINCT FROM OLD.password_hash
     OR NEW.roles IS DISTINCT FROM OLD.roles
     OR NEW.external_subject IS DISTINCT FROM OLD.external_subject THEN
    NEW.session_epoch := OLD.session_epoch + 1;
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER users_session_epoch BEFORE UPDATE ON users
  FOR EACH ROW EXECUTE FUNCTION trygg_users_session_epoch();

CREATE TABLE revoked_sessions (
  jti        text PRIMARY KEY,
  user_id    text NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX revoked_sessions_expires ON revoked_sessions (expires_at);

-- Down Migration
DROP TABLE revoked_sessions;
DROP TRIGGER users_session_epoch ON users;
DROP FUNCTION trygg_users_session_epoch();
ALTER TABLE users DROP COLUMN session_epoch;
