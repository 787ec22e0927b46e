/**
 * Device authentication for the gateway: a device proves itself with its id and secret.
 * - A successful check is remembered (as a SHA-256 of the secret, in memory, for `memoTtlMs`), so
 *   a reconnect storm does not cost one scrypt per device, and so the gateway can tell a device
 *   it has verified before (`knows`) from a new credential; a changed or revoked secret misses.
 * - A failed check is remembered the same way for `failedTtlMs`: the same wrong secret again (a
 *   broken device retrying) is refused without another scrypt until the stored hash changes.
 * - An unknown id, or a device without a secret, costs the same scrypt as a wrong secret, so the
 *   answer's timing does not tell which device ids exist.
 * - The slow part (scrypt) runs through the caller's `verify`, so the gateway can queue and
 *   bound it. Look-ups that arrive together are made in one query.
 */
import { createHash } from 'node:crypto';
import { GroupCommit, type Queryable } from '@trygg/alarm-core';
import { DUMMY_HASH, verifySecret } from './secrets.js';

export type DeviceAuthResult = 'ok' | 'unknown' | 'bad-secret' | 'disabled';

export interface DeviceCheck {
  result: DeviceAuthResult;
  /** The stored hash the device proved (null unless the secret was right). */
  credential: string | null;
  /** The device's configured heartbeat interval (sent to it as feedback `config`). */
  heartbeatIntervalS: number;
  /** Whether a scrypt ran: false for a remembered secret, right or (the same one again) wrong. */
  slow: boolean;
}

/** Runs the slow comparison of one check; the gateway passes one that queues it. */
export type Verify = (compare: () => Promise<boolean>) => Promise<boolean>;

export interface DeviceAuthOptions {
  /** How long a verified secret is remembered after its last use. */
  memoTtlMs?: number;
  /** How long a failed secret is refused without a new check. */
  failedTtlMs?: number;
}

const USABLE_STATUSES = new Set(['installed', 'active']);
/** Entries of each memo at most (about 200 bytes each). */
const MAX_REMEMBERED = 200_000;
const runNow: Verify = (compare) => compare();

interface DeviceRow {
  id: string;
  secret_hash: string | null;
  status: string;
  heartbeat_interval_s: number;
}

interface Remembered {
  /** The stored hash at the time (null: no such device, or no secret). */
  hash: string | null;
  digest: string;
  until: number;
}

export class DeviceAuthenticator {
  private readonly verified = new Map<string, Remembered>();
  private readonly failed = new Map<string, Remembered>();
  private readonly memoTtlMs: number;
  private readonly failedTtlMs: number;
  /** Look-ups arriving together (a reconnect storm) share one query. */
  private readonly lookups: GroupCommit<string, DeviceRow | undefined>;

  constructor(
    private readonly db: Queryable,
    opts: DeviceAuthOptions = {},
  ) {
    this.memoTtlMs = opts.memoTtlMs ?? 24 * 3600_000;
    this.failedTtlMs = opts.failedTtlMs ?? 60_000;
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
   * Whether this secret was verified for this device recently (on this node): such a device
   * skips the gateway's queue and blocks, and its check costs a look-up and no scrypt. Only the
   * right secret can match, so this opens nothing to someone guessing.
   */
  knows(deviceId: string, secret: string, now = Date.now()): boolean {
    const m = this.verified.get(deviceId);
    return m !== undefined && m.until > now && m.digest === digestOf(secret);
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
   * the gateway can disconnect it when that credential is revoked or replaced. `verify` runs the
   * scrypt (the gateway queues it); it is not called for a remembered secret.
   */
  async check(deviceId: string, secret: string, verify: Verify = runNow): Promise<DeviceCheck> {
    const row = await this.lookups.submit(deviceId);
    const now = Date.now();
    const digest = digestOf(secret);
    const hash = row?.secret_hash ?? null;
    const refused = (slow: boolean): DeviceCheck => ({
      result: row ? 'bad-secret' : 'unknown',
      credential: null,
      heartbeatIntervalS: 0,
      slow,
    });
    const failed = this.failed.get(deviceId);
    if (failed && failed.until > now && failed.hash === hash && failed.digest === digest) return refused(false);
    const memo = this.verified.get(deviceId);
    let ok = hash !== null && memo !== undefined && memo.until > now && memo.hash === hash && memo.digest === digest;
    const ran = !ok;
    // No device or no secret: the same scrypt against a hash nothing matches.
    if (!ok) ok = (await verify(() => verifySecret(secret, hash ?? DUMMY_HASH))) && hash !== null;
    const at = Date.now(); // a queued scrypt may have taken a while
    if (!row || !ok) {
      this.remember(this.failed, deviceId, { hash, digest, until: at + this.failedTtlMs }, at);
      return refused(ran);
    }
    this.failed.delete(deviceId);
    this.remember(this.verified, deviceId, { hash, digest, until: at + this.memoTtlMs }, at);
    return {
      result: USABLE_STATUSES.has(row.status) ? 'ok' : 'disabled',
      credential: hash,
      heartbeatIntervalS: row.heartbeat_interval_s,
      slow: ran,
    };
  }

  /**
   * Remembers with a ceiling: failures follow what strangers send. One lifetime per memo, so
   * insertion order is expiry order: expired and surplus entries are at the front.
   */
  private remember(map: Map<string, Remembered>, deviceId: string, r: Remembered, now: number): void {
    map.delete(deviceId);
    map.set(deviceId, r);
    for (const [id, old] of map) {
      if (old.until > now && map.size <= MAX_REMEMBERED) break;
      map.delete(id);
    }
  }
}

function digestOf(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}
