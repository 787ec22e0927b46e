-- Up Migration
-- Wrong passwords are counted per account and source address, not per account: a stranger who
-- types an operator's name five times locks only their own address out of that account, never
-- the response centre. Each attempt takes its number in one statement before the password is
-- checked, so parallel guesses cannot get past the count.

CREATE TABLE login_failures (
  user_id      text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  address      text NOT NULL,
  failures     integer NOT NULL,
  locked_until timestamptz,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, address)
);
CREATE INDEX login_failures_updated ON login_failures (updated_at);

ALTER TABLE users DROP COLUMN failed_logins;
ALTER TABLE users DROP COLUMN locked_until;

-- Down Migration
ALTER TABLE users ADD COLUMN locked_until timestamptz;
ALTER TABLE users ADD COLUMN failed_logins integer NOT NULL DEFAULT 0;
DROP TABLE login_failures;
