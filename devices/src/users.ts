/** Local accounts for the embedded default: look-up and password check. */
import type { Queryable, Role } from '@trygg/alarm-core';
import { hashSecret, verifySecret } from './secrets.js';

export interface UserRecord {
  id: string;
  username: string;
  displayName: string;
  roles: Role[];
  locale: string;
}

/** Checks a username and password; null when either is wrong (never says which). */
export async function verifyLogin(db: Queryable, username: string, password: string): Promise<UserRecord | null> {
  const { rows } = await db.query<{
    id: string;
    username: string;
    display_name: string;
    roles: Role[];
    locale: string;
    password_hash: string;
  }>('SELECT id, username, display_name, roles, locale, password_hash FROM users WHERE username = $1', [username]);
  const row = rows[0];
  // Hash anyway for an unknown user, so timing does not tell which usernames exist.
  const ok = await verifySecret(password, row?.password_hash ?? DUMMY_HASH);
  if (!row || !ok) return null;
  return { id: row.id, username: row.username, displayName: row.display_name, roles: row.roles, locale: row.locale };
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

const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
