/**
 * Device authentication for the gateway: a device proves itself with its id and secret.
 * A successful check is remembered (as a SHA-256 of the secret, in memory) so a reconnect storm
 * does not cost one scrypt per device; a changed or revoked secret misses the memo. Look-ups that
 * arrive together are made in one query.
 */
import { createHash } from 'node:crypto';
import { GroupCommit, type Queryable } from '@trygg/alarm-core';
import { verifySecret } from './secrets.js';

export type DeviceAuthResult = 'ok' | 'unknown' | 'bad-secret' | 'disabled';

export interface DeviceCheck {
  result: DeviceAuthResult;
  /** The stored hash the device proved (null unless the secret was right). */
  credential: string | null;
  /** The device's configured heartbeat interval (sent to it as feedback `config`). */
  heartbeatIntervalS: number;
}

const USABLE_STATUSES = new Set(['installed', 'active']);

interface DeviceRow {
  id: string;
  secret_hash: string | null;
  status: string;
  heartbeat_interval_s: number;
}

export class DeviceAuthenticator {
  private readonly memo = new Map<string, { hash: string; digest: string }>();
  /** Look-ups arriving together (a reconnect storm) share one query. */
  private readonly lookups: GroupCommit<string, DeviceRow | undefined>;

  constructor(private readonly db: Queryable) {
    this.lookups = new GroupCommit(async (ids) => {
      const { rows } = await this.db.query<DeviceRow>(
        'SELECT id, secret_hash, status, heartbeat_interval_s FROM devices WHERE id = ANY($1::text[])',
        [ids],
      );
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id));
    });
  }

  async authenticate(deviceId: string, secret: string): Promise<DeviceAuthResult> {
    return (await this.check(deviceId, secret)).result;
  }

  /**
   * For connected devices (id → the credential each proved): those that may no longer be
   * connected (gone, not usable, or another credential), and the heartbeat interval of the rest.
   */
  async recheck(
    connected: ReadonlyMap<string, string | null>,
  ): Promise<{ revoked: string[]; heartbeatIntervalS: Map<string, number> }> {
    const ids = [...connected.keys()];
    if (ids.length === 0) return { revoked: [], heartbeatIntervalS: new Map() };
    const { rows } = await this.db.query<DeviceRow>(
      'SELECT id, secret_hash, status, heartbeat_interval_s FROM devices WHERE id = ANY($1::text[])',
      [ids],
    );
    const still = new Map(rows.map((r) => [r.id, r]));
    const revoked = ids.filter((id) => {
      const row = still.get(id);
      return !row || !USABLE_STATUSES.has(row.status) || row.secret_hash === null || row.secret_hash !== connected.get(id);
    });
    return { revoked, heartbeatIntervalS: new Map(rows.map((r) => [r.id, r.heartbeat_interval_s])) };
  }

  /**
   * Like `authenticate`, and also names the credential (the stored hash) the device proved, so
   * the gateway can disconnect it when that credential is revoked or replaced.
   */
  async check(deviceId: string, secret: string): Promise<DeviceCheck> {
    const row = await this.lookups.submit(deviceId);
    if (!row) return { result: 'unknown', credential: null, heartbeatIntervalS: 0 };
    if (!row.secret_hash) return { result: 'bad-secret', credential: null, heartbeatIntervalS: 0 };
    const digest = createHash('sha256').update(secret).digest('base64url');
    const memo = this.memo.get(deviceId);
    const ok = (memo?.hash === row.secret_hash && memo.digest === digest) || (await verifySecret(secret, row.secret_hash));
    if (!ok) return { result: 'bad-secret', credential: null, heartbeatIntervalS: 0 };
    this.memo.set(deviceId, { hash: row.secret_hash, digest });
    return {
      result: USABLE_STATUSES.has(row.status) ? 'ok' : 'disabled',
      credential: row.secret_hash,
      heartbeatIntervalS: row.heartbeat_interval_s,
    };
  }
}
