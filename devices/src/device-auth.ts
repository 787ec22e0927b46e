/**
 * Device authentication for the gateway: a device proves itself with its id and secret.
 * A successful check is remembered (as a SHA-256 of the secret, in memory) so a reconnect storm
 * does not cost one scrypt per device; a changed or revoked secret misses the memo.
 */
import { createHash } from 'node:crypto';
import type { Queryable } from '@trygg/alarm-core';
import { verifySecret } from './secrets.js';

export type DeviceAuthResult = 'ok' | 'unknown' | 'bad-secret' | 'disabled';

const USABLE_STATUSES = new Set(['installed', 'active']);

export class DeviceAuthenticator {
  private readonly memo = new Map<string, { hash: string; digest: string }>();

  constructor(private readonly db: Queryable) {}

  async authenticate(deviceId: string, secret: string): Promise<DeviceAuthResult> {
    const { rows } = await this.db.query<{ secret_hash: string | null; status: string }>(
      'SELECT secret_hash, status FROM devices WHERE id = $1',
      [deviceId],
    );
    const row = rows[0];
    if (!row) return 'unknown';
    if (!row.secret_hash) return 'bad-secret';
    const digest = createHash('sha256').update(secret).digest('base64url');
    const memo = this.memo.get(deviceId);
    const ok = (memo?.hash === row.secret_hash && memo.digest === digest) || (await verifySecret(secret, row.secret_hash));
    if (!ok) return 'bad-secret';
    this.memo.set(deviceId, { hash: row.secret_hash, digest });
    return USABLE_STATUSES.has(row.status) ? 'ok' : 'disabled';
  }
}
