/**
 * API clients: other municipal systems that call Trygg with OAuth 2.0 client credentials. Each
 * is registered by an administrator with the scopes it may have; its secret is shown once and
 * kept only as a slow hash. A revoked client is refused at once.
 */
import type { Queryable } from '@trygg/alarm-core';
import { DUMMY_HASH, hashSecret, newSecret, verifySecret } from './secrets.js';

export interface ApiClient {
  id: string;
  name: string;
  scopes: string[];
}

/** Registers a client; returns its secret, the only time it is seen. */
export async function createApiClient(db: Queryable, client: ApiClient): Promise<{ secret: string }> {
  const secret = newSecret(32);
  await db.query('INSERT INTO api_clients (id, name, secret_hash, scopes) VALUES ($1, $2, $3, $4)', [
    client.id,
    client.name,
    await hashSecret(secret),
    client.scopes,
  ]);
  return { secret };
}

/** A client known and not revoked (the identity provider's tokens name it; no secret involved). */
export async function findApiClient(db: Queryable, id: string): Promise<ApiClient | null> {
  const { rows } = await db.query<ApiClient>('SELECT id, name, scopes FROM api_clients WHERE id = $1 AND revoked_at IS NULL', [
    id,
  ]);
  return rows[0] ?? null;
}

/** Checks a client's secret; null when the client is unknown, revoked, or the secret wrong (never says which). */
export async function verifyApiClient(db: Queryable, id: string, secret: string): Promise<ApiClient | null> {
  const { rows } = await db.query<ApiClient & { secret_hash: string | null }>(
    'SELECT id, name, scopes, secret_hash FROM api_clients WHERE id = $1 AND revoked_at IS NULL',
    [id],
  );
  const row = rows[0];
  const ok = await verifySecret(secret, row?.secret_hash ?? DUMMY_HASH);
  return row && row.secret_hash && ok ? { id: row.id, name: row.name, scopes: row.scopes } : null;
}

export async function revokeApiClient(db: Queryable, id: string): Promise<boolean> {
  const r = await db.query('UPDATE api_clients SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [id]);
  return r.rowCount === 1;
}
