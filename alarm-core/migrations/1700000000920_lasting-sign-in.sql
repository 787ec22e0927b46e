-- Up Migration
-- Lasting sign-in on a person's phone (docs/identity.md, "Lasting sign-in"): one row per signed-in
-- device (a refresh-token family, OAuth 2.0 Security BCP §4.14), its refresh tokens (each used
-- once; a used one presented again revokes the whole family), and single-use sign-in links (SMS,
-- "send me a new link"). Only SHA-256 hashes of the tokens are kept: a database reader cannot
-- sign in with them.
CREATE TABLE signin_devices (
  id             text PRIMARY KEY,
  user_id        text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  label          text NOT NULL,
  -- The account's session epoch when it started: a changed password or role ends it too.
  session_epoch  integer NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  last_used_at   timestamptz NOT NULL DEFAULT now(),
  -- Sliding: each renewal moves it on by the lifetime of the person's kind of sign-in.
  expires_at     timestamptz NOT NULL,
  -- The access session last issued on it (so its live sockets can be closed when it is revoked).
  access_jti     text,
  access_expires timestamptz,
  revoked_at     timestamptz,
  revoked_reason text CHECK (revoked_reason IN ('signed-out', 'by-person', 'by-admin', 'reuse', 'relative-removed', 'everywhere'))
);
CREATE INDEX signin_devices_user_idx ON signin_devices (user_id) WHERE revoked_at IS NULL;

CREATE TABLE refresh_tokens (
  token_hash text PRIMARY KEY,
  device_id  text NOT NULL REFERENCES signin_devices (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  used_at    timestamptz
);
CREATE INDEX refresh_tokens_device_idx ON refresh_tokens (device_id);

CREATE TABLE signin_links (
  id         text PRIMARY KEY,
  user_id    text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_hash text NOT NULL UNIQUE,
  -- Why it was made ('alert': in an alarm's SMS; 'request': "send me a new link").
  purpose    text NOT NULL CHECK (purpose ~ '^[a-z][a-z-]{0,31}$'),
  alarm_id   uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at    timestamptz
);
CREATE INDEX signin_links_user_idx ON signin_links (user_id);
CREATE INDEX signin_links_expires_idx ON signin_links (expires_at);

-- "Send me a new link" requests, counted per number and per address for the rate limit. The
-- number is kept as a keyed hash only (whether it was known is not recorded here).
CREATE TABLE signin_link_requests (
  id         bigserial PRIMARY KEY,
  phone_key  text NOT NULL,
  address    text NOT NULL,
  at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX signin_link_requests_phone_idx ON signin_link_requests (phone_key, at);
CREATE INDEX signin_link_requests_address_idx ON signin_link_requests (address, at);

-- A relative whose consent is withdrawn, or who is removed (or unlinked from their account), keeps
-- no lasting sign-in while they are nobody's relative with consent: their devices are revoked and
-- their open sessions end (the epoch moves on), whoever made the change (API, CLI or SQL).
CREATE FUNCTION trygg_relative_revoke_signin() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  uid text := OLD.user_id;
BEGIN
  IF uid IS NULL THEN RETURN NULL; END IF;
  IF TG_OP = 'UPDATE' AND NOT ((OLD.consent_at IS NOT NULL AND NEW.consent_at IS NULL)
                              OR NEW.user_id IS DISTINCT FROM OLD.user_id) THEN
    RETURN NULL;
  END IF;
  IF EXISTS (SELECT 1 FROM relatives WHERE user_id = uid AND consent_at IS NOT NULL) THEN RETURN NULL; END IF;
  UPDATE signin_devices SET revoked_at = now(), revoked_reason = 'relative-removed'
   WHERE user_id = uid AND revoked_at IS NULL;
  UPDATE signin_links SET used_at = now() WHERE user_id = uid AND used_at IS NULL;
  UPDATE users SET session_epoch = session_epoch + 1 WHERE id = uid AND 'relative' = ANY (roles);
  RETURN NULL;
END
$$;

CREATE TRIGGER relatives_revoke_signin AFTER UPDATE OR DELETE ON relatives
  FOR EACH ROW EXECUTE FUNCTION trygg_relative_revoke_signin();

-- Down Migration
DROP TRIGGER relatives_revoke_signin ON relatives;
DROP FUNCTION trygg_relative_revoke_signin();
DROP TABLE signin_link_requests;
DROP TABLE signin_links;
DROP TABLE refresh_tokens;
DROP TABLE signin_devices;
