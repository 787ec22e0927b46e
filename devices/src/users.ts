/** Local accounts for the embedded default: look-up and password check. */
import type { Queryable, Role } from '@trygg/alarm-core';
import { DUMMY_HASH, hashSecret, verifySecret } from './secrets.js';

export interface UserRecord {
  id: string;
  username: string;
  displayName: string;
  roles: Role[];
  locale: string;
}

export interface LockoutPolicy {
  /** Failed attempts in a row that lock the account. */
  maxFailures: number;
  /** How long it stays locked. */
  lockSeconds: number;
}

export const DEFAULT_LOCKOUT: LockoutPolicy = { maxFailures: 5, lockSeconds: 15 * 60 };

/** What a failed sign-in did to the account: nothing known, counted, or locked it. */
export type LoginFailure = 'wrong' | 'locked';

/**
 * Checks a username and password; the user, or why not. An account locks after
 * `maxFailures` wrong passwords in a row and stays locked for `lockSeconds` whatever is typed,
 * so guessing is slow. The caller answers both failures the same way (never says which, nor
 * whether the username exists); the reason is for the log.
 */
export async function checkLogin(
  db: Queryable,
  username: string,
  password: string,
  policy: LockoutPolicy = DEFAULT_LOCKOUT,
): Promise<UserRecord | LoginFailure> {
  const { rows } = await db.query<{
    id: string;
    username: string;
    display_name: string;
    roles: Role[];
    locale: string;
    password_hash: string | null;
    locked: boolean;
  }>(
    `SELECT id, username, display_name, roles, locale, password_hash, coalesce(locked_until > now(), false) AS locked
       FROM users WHERE username = $1`,
    [username],
  );
  const row = rows[0];
  // Hash anyway for an unknown or locked user, so timing does not tell which usernames exist.
  const ok = await verifySecret(password, row?.password_hash ?? DUMMY_HASH);
  if (!row) return 'wrong';
  if (row.locked) return 'locked';
  if (ok && row.password_hash !== null) {
    await db.query('UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1 AND failed_logins > 0', [row.id]);
    return { id: row.id, username: row.username, displayName: row.display_name, roles: row.roles, locale: row.locale };
  }
  const counted = await db.query<{ locked: boolean }>(
    `UPDATE users SET failed_logins = CASE WHEN failed_logins + 1 >= $2 THEN 0 ELSE failed_logins + 1 END,
                      locked_until = CASE WHEN failed_logins + 1 >= $2 THEN now() + $3 * interval '1 second' ELSE locked_until END
      WHERE id = $1 RETURNING locked_until > now() AS locked`,
    [row.id, policy.maxFailures, policy.lockSeconds],
  );
  return counted.rows[0]?.locked ? 'locked' : 'wrong';
}

/** Checks a username and password; null when either is wrong (never says which). Counts towards the lockout. */
export async function verifyLogin(db: Queryable, username: string, password: string): Promise<UserRecord | null> {
  const r = await checkLogin(db, username, password);
  return typeof r === 'string' ? null : r;
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
