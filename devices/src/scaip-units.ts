/**
 * SCAIP units in the registry: their SIP digest credentials and what the receiver answers them.
 * The digest secret is stored as HA1 = MD5(username:realm:password) (RFC 2617 §3.2.2.2), which
 * is all a digest check needs; the password itself is shown once, when it is issued, and never
 * stored. (MD5 is what SIP Digest and SS 91100 units speak; HA1 is bound to our realm, so a leak
 * does not open other services.) The registry issue issues credentials to technicians; until
 * then the demo seed and tests call `issueScaipCredentials`.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '@trygg/alarm-core';

export interface ScaipCredentials {
  username: string;
  password: string;
  realm: string;
}

/** What the receiver knows about a unit; null from `findByUsername` for an unknown username. */
export interface ScaipUnit {
  deviceId: string;
  username: string;
  realm: string;
  ha1: string;
  /** SS 91100 `cid` of the unit (digits), null when the unit may send any. */
  cid: string | null;
  replyInOk: boolean;
  active: boolean;
  heartbeatIntervalS: number;
  /** The device's site, else its resident's home: where reply settings are looked up from. */
  siteId: string | null;
}

/** What a site answers its units (`scaip_site_settings`, nearest site upwards). */
export interface ScaipSiteSettings {
  /** `mre` 0–3. */
  voiceMode: number;
  /** `cre` 1–60 minutes, or none. */
  callbackMinutes: number | null;
  /** `hbi` 1–1440 minutes, or none (the unit keeps its own). */
  heartbeatMinutes: number | null;
  /** How long an alarm nobody has accepted is answered `snu=4` (hold); 0 = never hold. */
  holdMaxS: number;
}

export const DEFAULT_SCAIP_SITE_SETTINGS: ScaipSiteSettings = {
  voiceMode: 1,
  callbackMinutes: null,
  heartbeatMinutes: null,
  holdMaxS: 120,
};

export function digestHa1(username: string, realm: string, password: string): string {
  return createHash('md5').update(`${username}:${realm}:${password}`).digest('hex');
}

/**
 * Makes `deviceId` a SCAIP unit with fresh digest credentials (username = the device id) and
 * returns the password, which is not stored anywhere.
 */
export async function issueScaipCredentials(
  db: Queryable,
  deviceId: string,
  opts: { realm: string; cid: string; replyInOk?: boolean; password?: string },
): Promise<ScaipCredentials> {
  const password = opts.password ?? randomBytes(18).toString('base64url');
  const username = deviceId;
  const { rowCount } = await db.query(
    `UPDATE devices SET protocol = 'scaip', sip_username = $2, sip_realm = $3, sip_ha1 = $4, scaip_cid = $5,
            scaip_reply_in_ok = $6
      WHERE id = $1`,
    [deviceId, username, opts.realm, digestHa1(username, opts.realm, password), opts.cid, opts.replyInOk ?? false],
  );
  if (rowCount !== 1) throw new Error(`no device ${deviceId}`);
  return { username, password, realm: opts.realm };
}

/** Registry look-ups for the SCAIP receiver. */
export class ScaipUnits {
  constructor(private readonly db: Queryable) {}

  async findByUsername(username: string): Promise<ScaipUnit | null> {
    const { rows } = await this.db.query<{
      id: string;
      sip_username: string;
      sip_realm: string;
      sip_ha1: string;
      scaip_cid: string | null;
      scaip_reply_in_ok: boolean;
      status: string;
      heartbeat_interval_s: number;
      site_id: string | null;
    }>(
      `SELECT d.id, d.sip_username, d.sip_realm, d.sip_ha1, d.scaip_cid, d.scaip_reply_in_ok, d.status,
              d.heartbeat_interval_s, COALESCE(d.site_id, r.site_id) AS site_id
         FROM devices d LEFT JOIN residents r ON r.id = d.resident_id
        WHERE d.sip_username = $1 AND d.protocol = 'scaip' AND d.sip_ha1 IS NOT NULL`,
      [username],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      deviceId: r.id,
      username: r.sip_username,
      realm: r.sip_realm,
      ha1: r.sip_ha1,
      cid: r.scaip_cid,
      replyInOk: r.scaip_reply_in_ok,
      active: r.status === 'installed' || r.status === 'active',
      heartbeatIntervalS: r.heartbeat_interval_s,
      siteId: r.site_id,
    };
  }

  /** The nearest settings from `siteId` upwards; the defaults when no site has any. */
  async siteSettings(siteId: string | null): Promise<ScaipSiteSettings> {
    if (!siteId) return DEFAULT_SCAIP_SITE_SETTINGS;
    const { rows } = await this.db.query<{
      voice_mode: number;
      callback_minutes: number | null;
      heartbeat_minutes: number | null;
      hold_max_s: number;
    }>(
      `SELECT c.voice_mode, c.callback_minutes, c.heartbeat_minutes, c.hold_max_s
         FROM trygg_site_ancestors($1) up JOIN scaip_site_settings c ON c.site_id = up.id
        ORDER BY up.depth LIMIT 1`,
      [siteId],
    );
    const r = rows[0];
    if (!r) return DEFAULT_SCAIP_SITE_SETTINGS;
    return {
      voiceMode: r.voice_mode,
      callbackMinutes: r.callback_minutes,
      heartbeatMinutes: r.heartbeat_minutes,
      holdMaxS: r.hold_max_s,
    };
  }

  /**
   * Records the `cid` a unit sent first, when none was given at registration (units created
   * through the REST API): from then on only that cid is this unit's. Returns the unit's cid after
   * the call (another node may have recorded one first).
   */
  async claimCid(deviceId: string, cid: string): Promise<string | null> {
    const claimed = await this.db.query<{ scaip_cid: string }>(
      'UPDATE devices SET scaip_cid = $2 WHERE id = $1 AND scaip_cid IS NULL RETURNING scaip_cid',
      [deviceId, cid],
    );
    if (claimed.rows[0]) return claimed.rows[0].scaip_cid;
    // Someone recorded one first (a concurrent first contact): read what they recorded.
    const { rows } = await this.db.query<{ scaip_cid: string | null }>('SELECT scaip_cid FROM devices WHERE id = $1', [deviceId]);
    return rows[0]?.scaip_cid ?? null;
  }

  /** The interval the unit was told (`hbi`), so supervision expects heartbeats that often. */
  async setHeartbeatInterval(deviceId: string, seconds: number): Promise<void> {
    await this.db.query('UPDATE devices SET heartbeat_interval_s = $2 WHERE id = $1 AND heartbeat_interval_s <> $2', [
      deviceId,
      Math.min(86400, Math.max(10, seconds)),
    ]);
  }
}
