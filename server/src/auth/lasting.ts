/**
 * Lasting sign-in on a person's own phone: a refresh-token family per signed-in device (OAuth 2.0
 * Security BCP, RFC 9700 §4.14.2). The token is opaque (32 random bytes), kept only as its SHA-256;
 * each renewal uses it up and hands out the next one, and a used token presented again means it
 * was copied: the whole family (the device) is revoked at once, for the thief and for the phone.
 * The family's lifetime slides with each renewal (relatives and staff phones have their own
 * settings); it ends sooner when the person signs this device out, revokes it from their list, an
 * administrator revokes it, the account's password or roles change (the session epoch), or the
 * relative's consent is withdrawn (a trigger, migration 920). The short access session it renews
 * is an ordinary Trygg session (tokens.ts) that names its device (`dev`), so a revoked device's
 * session ends with it (sessions.ts).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { withTransaction, type Pool, type Principal, type Role } from '@trygg/alarm-core';
import type { TokenService } from './tokens.js';

export const sha256 = (token: string): string => createHash('sha256').update(token).digest('hex');
const newToken = (): string => randomBytes(32).toString('base64url');

/** How long a lasting sign-in lasts without being used, by kind of person; 0 = not offered. */
export interface LastingPolicy {
  relativeDays: number;
  staffDays: number;
  /** The access session a renewal issues, seconds. */
  accessTtlS: number;
}

/** A session handed to the web app, with the means to renew it when it is a lasting one. */
export interface IssuedSession {
  token: string;
  expiresAt: string;
  user: Principal;
  refreshToken?: string;
  refreshExpiresAt?: string;
}

export interface SignedInDevice {
  id: string;
  label: string;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
}

/** What a renewal gives: the next session, or why not (and whose device, when the token was known). */
export type Renewal =
  | { session: IssuedSession & { deviceId: string } }
  | {
      refused: 'unknown' | 'revoked' | 'reused' | 'expired' | 'account-changed' | 'not-offered';
      userId?: string;
      deviceId?: string;
      sessionId?: string | null;
    };

/** Why a device stopped being signed in (`signin_devices.revoked_reason`). */
export type RevokeReason = 'signed-out' | 'by-person' | 'by-admin' | 'reuse' | 'everywhere';

/** A revoked device's last access session, so the live server can close its sockets now. */
export interface RevokedAccess {
  userId: string;
  sessionId: string | null;
}

/**
 * Which lasting sign-in a person gets: people on their own phone only (relatives, night staff),
 * as the web app keeps their session on the phone; never the response centre's or an
 * administrator's account, which are used at shared consoles, nor a technician's (phone or
 * laptop, a session per tab).
 */
export function lastingDays(roles: readonly Role[], policy: LastingPolicy): number {
  if (roles.includes('operator') || roles.includes('admin')) return 0;
  if (roles.includes('staff')) return policy.staffDays;
  return roles.includes('relative') ? policy.relativeDays : 0;
}

/** A short name for a device from its browser's User-Agent ("Chrome on Android"). */
export function deviceLabel(userAgent: string | undefined): string {
  const ua = userAgent ?? '';
  const os = /iPhone|iPad/.test(ua)
    ? 'iOS'
    : /Android/.test(ua)
      ? 'Android'
      : /Windows/.test(ua)
        ? 'Windows'
        : /Mac OS X/.test(ua)
          ? 'macOS'
          : /Linux/.test(ua)
            ? 'Linux'
            : null;
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /Firefox\//.test(ua)
      ? 'Firefox'
      : /Chrom(e|ium)\//.test(ua)
        ? 'Chrome'
        : /Safari\//.test(ua)
          ? 'Safari'
          : null;
  if (browser && os) return `${browser} on ${os}`;
  return browser ?? os ?? 'Browser';
}

export class LastingSignIns {
  constructor(
    private readonly pool: Pool,
    private readonly tokens: TokenService,
    readonly policy: LastingPolicy,
  ) {}

  /**
   * The session for a person who just proved who they are (password, invitation, sign-in link):
   * an access session, and on their own phone a new lasting sign-in for this device too.
   */
  async signIn(user: Principal, sessionEpoch: number, userAgent: string | undefined): Promise<IssuedSession> {
    const days = lastingDays(user.roles, this.policy);
    if (days === 0) return { ...(await this.tokens.issue(user, undefined, sessionEpoch)), user };
    const deviceId = randomUUID();
    const refreshToken = newToken();
    const access = await this.tokens.issue(user, this.policy.accessTtlS, sessionEpoch, deviceId);
    const { rows } = await withTransaction(this.pool, async (db) => {
      const r = await db.query<{ expires_at: Date }>(
        `INSERT INTO signin_devices (id, user_id, label, session_epoch, expires_at, access_jti, access_expires)
         VALUES ($1, $2, $3, $4, now() + make_interval(days => $5), $6, $7) RETURNING expires_at`,
        [deviceId, user.userId, deviceLabel(userAgent), sessionEpoch, days, access.id, access.expiresAt],
      );
      await db.query('INSERT INTO refresh_tokens (token_hash, device_id) VALUES ($1, $2)', [sha256(refreshToken), deviceId]);
      return r;
    });
    return {
      token: access.token,
      expiresAt: access.expiresAt,
      user,
      refreshToken,
      refreshExpiresAt: (rows[0]?.expires_at ?? new Date()).toISOString(),
    };
  }

  /**
   * Renews: the refresh token is used up, the next one and a new access session come back, and
   * the device's lifetime slides on. Refused for an unknown token, a revoked or expired device, a
   * changed account; a token already used revokes its device first (`reused`) and names the
   * access session that ended with it.
   */
  async renew(refreshToken: string): Promise<Renewal> {
    const outcome = await withTransaction(this.pool, async (db) => {
      const { rows } = await db.query<{
        device_id: string;
        used_at: Date | null;
        user_id: string;
        revoked: boolean;
        expired: boolean;
        device_epoch: number;
        epoch: number;
        display_name: string;
        roles: Role[];
        locale: string;
        access_jti: string | null;
      }>(
        `SELECT t.device_id, t.used_at, d.user_id, d.revoked_at IS NOT NULL AS revoked, d.expires_at <= now() AS expired,
                d.session_epoch AS device_epoch, u.session_epoch AS epoch, u.display_name, u.roles, u.locale, d.access_jti
           FROM refresh_tokens t JOIN signin_devices d ON d.id = t.device_id JOIN users u ON u.id = d.user_id
          WHERE t.token_hash = $1
          FOR UPDATE OF t, d`,
        [sha256(refreshToken)],
      );
      const row = rows[0];
      if (!row) return { refused: 'unknown' as const };
      const revoke = { userId: row.user_id, sessionId: row.access_jti, deviceId: row.device_id };
      if (row.revoked) return { refused: 'revoked' as const, ...revoke };
      if (row.used_at) {
        // BCP §4.14.2: a refresh token used twice was stolen (or copied); neither copy goes on.
        await db.query(`UPDATE signin_devices SET revoked_at = now(), revoked_reason = 'reuse' WHERE id = $1`, [row.device_id]);
        return { refused: 'reused' as const, ...revoke };
      }
      if (row.expired) return { refused: 'expired' as const, ...revoke };
      if (row.epoch !== row.device_epoch) return { refused: 'account-changed' as const, ...revoke };
      const user: Principal = { userId: row.user_id, name: row.display_name, roles: row.roles, locale: row.locale };
      const days = lastingDays(user.roles, this.policy);
      if (days === 0) return { refused: 'not-offered' as const, ...revoke };
      const next = newToken();
      const access = await this.tokens.issue(user, this.policy.accessTtlS, row.epoch, row.device_id);
      await db.query('UPDATE refresh_tokens SET used_at = now() WHERE token_hash = $1', [sha256(refreshToken)]);
      await db.query('INSERT INTO refresh_tokens (token_hash, device_id) VALUES ($1, $2)', [sha256(next), row.device_id]);
      const updated = await db.query<{ expires_at: Date }>(
        `UPDATE signin_devices SET last_used_at = now(), expires_at = now() + make_interval(days => $2), access_jti = $3, access_expires = $4
          WHERE id = $1 RETURNING expires_at`,
        [row.device_id, days, access.id, access.expiresAt],
      );
      // Used tokens are kept only to recognise a reuse, while their device lives: the device's rows go with it.
      return {
        session: {
          token: access.token,
          expiresAt: access.expiresAt,
          user,
          refreshToken: next,
          refreshExpiresAt: (updated.rows[0]?.expires_at ?? new Date()).toISOString(),
          deviceId: row.device_id,
        },
      };
    });
    if ('session' in outcome) return outcome;
    return 'userId' in outcome
      ? { refused: outcome.refused, userId: outcome.userId, deviceId: outcome.deviceId, sessionId: outcome.sessionId }
      : { refused: outcome.refused };
  }

  /** The person's devices that are still signed in, newest use first. */
  async list(userId: string): Promise<SignedInDevice[]> {
    const { rows } = await this.pool.query<{ id: string; label: string; created_at: Date; last_used_at: Date; expires_at: Date }>(
      `SELECT id, label, created_at, last_used_at, expires_at FROM signin_devices
        WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now() ORDER BY last_used_at DESC`,
      [userId],
    );
    return rows.map((r) => ({
      id: r.id,
      label: r.label,
      createdAt: r.created_at.toISOString(),
      lastUsedAt: r.last_used_at.toISOString(),
      expiresAt: r.expires_at.toISOString(),
    }));
  }

  /**
   * Revokes one device of a person (`deviceId`), or all of them (null). Returns the access
   * sessions that ended with them; none when nothing was signed in.
   */
  async revoke(userId: string, deviceId: string | null, reason: RevokeReason): Promise<RevokedAccess[]> {
    const { rows } = await this.pool.query<{ access_jti: string | null }>(
      `UPDATE signin_devices SET revoked_at = now(), revoked_reason = $3
        WHERE user_id = $1 AND ($2::text IS NULL OR id = $2) AND revoked_at IS NULL
        RETURNING access_jti`,
      [userId, deviceId, reason],
    );
    return rows.map((r) => ({ userId, sessionId: r.access_jti }));
  }

  /**
   * Forgets what can no longer be used: devices revoked or run out a while ago (their tokens go
   * with them), and sign-in links run out a while ago.
   */
  async sweep(keepDays = 30): Promise<number> {
    const devices = await this.pool.query(
      `DELETE FROM signin_devices WHERE coalesce(revoked_at, expires_at) < now() - make_interval(days => $1)`,
      [keepDays],
    );
    const links = await this.pool.query(`DELETE FROM signin_links WHERE expires_at < now() - make_interval(days => $1)`, [
      keepDays,
    ]);
    return (devices.rowCount ?? 0) + (links.rowCount ?? 0);
  }
}
