/** Local accounts for the embedded default: look-up and password check. */
import type { Queryable, Role } from '@trygg/alarm-core';
import { DUMMY_HASH, hashSecret, verifySecret } from './secrets.js';

export interface UserRecord {
  id: string;
  username: string;
  displayName: string;
  roles: Role[];
  locale: string;
  /** The account's session epoch now: a session token carries it (a new password or role moves it on). */
  sessionEpoch: number;
}

export interface LockoutPolicy {
  /** Wrong passwords in a row from one address that lock the account for that address. */
  maxFailures: number;
  /** How long it stays locked (and how long a failure is remembered). */
  lockSeconds: number;
}

export const DEFAULT_LOCKOUT: LockoutPolicy = { maxFailures: 5, lockSeconds: 15 * 60 };

/** Why a sign-in failed: a wrong name or password, or the account locked for this address. */
export type LoginFailure = 'wrong' | 'locked';

/** A refused sign-in, and whether the password was compared at all (not when already locked). */
export interface LoginRefusal {
  reason: LoginFailure;
  passwordChecked: boolean;
}

/** How often a failed sign-in also clears failures nobody has added to for a day. */
const PRUNE_SHARE = 0.01;

/**
 * Checks a username and password from a source address; the user, or why not. Failures are
 * counted per account *and address*: after `maxFailures` wrong passwords in a row from one
 * address the account is locked for `lockSeconds` for that address only, whatever is typed
 * there, so guessing is slow while a stranger elsewhere can never lock out the person whose
 * account it is. Each attempt is counted in one statement before its password is compared, so
 * parallel guesses cannot get more than `maxFailures` comparisons. The caller answers both
 * failures the same way (never says which, nor whether the username exists).
 */
export async function checkLogin(
  db: Queryable,
  username: string,
  password: string,
  address: string,
  policy: LockoutPolicy = DEFAULT_LOCKOUT,
): Promise<UserRecord | LoginRefusal> {
  const { rows } = await db.query<{
    id: string;
    username: string;
    display_name: string;
    roles: Role[];
    locale: string;
    password_hash: string | null;
    session_epoch: number;
  }>('SELECT id, username, display_name, roles, locale, password_hash, session_epoch FROM users WHERE username = $1', [username]);
  const row = rows[0];
  if (!row) {
    // Hash anyway, so timing does not tell which usernames exist.
    await verifySecret(password, DUMMY_HASH);
    return { reason: 'wrong', passwordChecked: true };
  }
  const counted = await db.query<{ failures: number; locked: boolean }>(
    `INSERT INTO login_failures AS f (user_id, address, failures) VALUES ($1, $2, 1)
     ON CONFLICT (user_id, address) DO UPDATE SET
       failures = CASE WHEN f.locked_until <= now() OR f.updated_at < now() - $3 * interval '1 second' THEN 1
                       ELSE f.failures + 1 END,
       locked_until = CASE WHEN f.locked_until <= now() THEN NULL ELSE f.locked_until END,
       updated_at = now()
     RETURNING failures, coalesce(locked_until > now(), false) AS locked`,
    [row.id, address, policy.lockSeconds],
  );
  const attempt = counted.rows[0] ?? { failures: Number.MAX_SAFE_INTEGER, locked: true };
  const lock = () =>
    db.query(
      `UPDATE login_failures SET locked_until = now() + $3 * interval '1 second'
        WHERE user_id = $1 AND address = $2 AND locked_until IS NULL`,
      [row.id, address, policy.lockSeconds],
    );
  if (attempt.locked || attempt.failures > policy.maxFailures) {
    // Past the count (or a guess racing the one that locked): refused without comparing.
    await Promise.all([lock(), verifySecret(password, DUMMY_HASH)]);
    return { reason: 'locked', passwordChecked: false };
  }
  const ok = await verifySecret(password, row.password_hash ?? DUMMY_HASH);
  if (ok && row.password_hash !== null) {
    await db.query('DELETE FROM login_failures WHERE user_id = $1 AND address = $2', [row.id, address]);
    return {
      id: row.id,
      username: row.username,
      displayName: row.display_name,
      roles: row.roles,
      locale: row.locale,
      sessionEpoch: row.session_epoch,
    };
  }
  if (Math.random() < PRUNE_SHARE) await db.query(`DELETE FROM login_failures WHERE updated_at < now() - interval '1 day'`);
  if (attempt.failures < policy.maxFailures) return { reason: 'wrong', passwordChecked: true };
  await lock();
  return { reason: 'locked', passwordChecked: true };
}

export async function createUser(
  db: Queryable,
  user: { id: string; username: string; displayName: string; roles: Role[]; locale?: string; password: string },
): Promise<void> {
  await db.query('INSERT INTO users (id, username, display_name, password_hash, roles, locale) VALUES ($1, $2, $3, $4, $5, $6)', [
    user.id,
    user.username,
    user.displayName,
    await hashSecret(user.password),
    user.roles,
    user.locale ?? 'nb',
  ]);
}

/** An account by its id; null when there is none. */
export async function readUser(db: Queryable, id: string): Promise<UserRecord | null> {
  const { rows } = await db.query<{
    username: string;
    display_name: string;
    roles: Role[];
    locale: string;
    session_epoch: number;
  }>('SELECT username, display_name, roles, locale, session_epoch FROM users WHERE id = $1', [id]);
  const row = rows[0];
  return row
    ? {
        id,
        username: row.username,
        displayName: row.display_name,
        roles: row.roles,
        locale: row.locale,
        sessionEpoch: row.session_epoch,
      }
    : null;
}
