/**
 * Trygg's own tokens: JWTs (HS256, jose) signed with a key generated on first start and kept in
 * the settings table, so every node of one installation shares it and restarts keep sessions.
 * A person's session carries name, roles, locale, its own id (`jti`, for signing out) and the
 * account's session epoch when it was issued (`sv`: a changed password or role ends every older
 * session, see sessions.ts); an API client's token (client credentials) carries `kind: client`
 * and its scopes instead of roles.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { PUSH_ACTIONS, ROLES, TryggError, type Pool, type Principal, type PushAction, type Role } from '@trygg/alarm-core';

export const ISSUER = 'trygg';
const AUDIENCE = 'trygg-api';
/** Action tokens have their own audience: one is never accepted as a sign-in token, nor the reverse. */
const ACTION_AUDIENCE = 'trygg-push-action';

/** What a push notification's buttons may do: these actions, on this alarm, as this person. */
export interface ActionScope {
  principal: Principal;
  alarmId: string;
  notificationId: string;
  actions: PushAction[];
}

/** What a verified sign-in token says beyond who: which session, of which epoch, until when. */
export interface VerifiedSession {
  principal: Principal;
  /** The token's `jti`; null for a token issued before sessions had ids. */
  id: string | null;
  /** The account's session epoch when the token was issued. */
  epoch: number;
  /** When the token runs out, ms since the epoch. */
  expiresAt: number;
  /** The signed-in device (lasting sign-in, lasting.ts) that renewed it; null for other sessions. */
  device: string | null;
}

export class TokenService {
  private constructor(
    private readonly key: Uint8Array,
    private readonly ttlSeconds: number,
  ) {}

  /** Loads (or on first start creates) the signing key. */
  static async load(pool: Pool, ttlSeconds: number): Promise<TokenService> {
    const fresh = randomBytes(32).toString('base64url');
    await pool.query(`INSERT INTO settings (key, value) VALUES ('jwt.hs256', to_jsonb($1::text)) ON CONFLICT (key) DO NOTHING`, [
      fresh,
    ]);
    const { rows } = await pool.query<{ value: string }>(`SELECT value FROM settings WHERE key = 'jwt.hs256'`);
    const value = rows[0]?.value;
    if (!value) throw new TryggError('TRYGG_ERR_INTERNAL', 'signing key missing');
    return new TokenService(Buffer.from(value, 'base64url'), ttlSeconds);
  }

  /**
   * A session for a person (with the account's current `sessionEpoch`, and the signed-in device
   * that renews it, if any) or an API client. `id` is its `jti`.
   */
  async issue(
    p: Principal,
    ttlSeconds = this.ttlSeconds,
    sessionEpoch = 0,
    device: string | null = null,
  ): Promise<{ token: string; expiresAt: string; id: string }> {
    const exp = Math.floor(Date.now() / 1000) + ttlSeconds;
    const claims =
      p.kind === 'client'
        ? { name: p.name, roles: [], locale: p.locale, kind: 'client', scope: (p.scopes ?? []).join(' ') }
        : { name: p.name, roles: p.roles, locale: p.locale, sv: sessionEpoch, ...(device ? { dev: device } : {}) };
    const id = randomUUID();
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setJti(id)
      .setSubject(p.userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(exp)
      .sign(this.key);
    return { token, expiresAt: new Date(exp * 1000).toISOString(), id };
  }

  /** Seals a small value for the browser to carry back (the OIDC sign-in's state); opened only by this installation. */
  async seal(purpose: string, value: Record<string, string>, ttlSeconds: number): Promise<string> {
    return new SignJWT(value)
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setAudience(`trygg-${purpose}`)
      .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
      .sign(this.key);
  }

  /** Opens what `seal` made for the same purpose; null when it is forged, expired or for something else. */
  async open(purpose: string, sealed: string): Promise<Record<string, unknown> | null> {
    try {
      const { payload } = await jwtVerify(sealed, this.key, {
        issuer: ISSUER,
        audience: `trygg-${purpose}`,
        algorithms: ['HS256'],
      });
      return payload;
    } catch {
      return null;
    }
  }

  /** Verifies signature, algorithm, issuer, audience and expiry; throws TRYGG_ERR_UNAUTHENTICATED. */
  async verify(token: string): Promise<Principal> {
    return (await this.verifySession(token)).principal;
  }

  /** As `verify`, with the session's id, epoch and expiry (whether it still stands is sessions.ts's question). */
  async verifySession(token: string): Promise<VerifiedSession> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ['HS256'],
        requiredClaims: ['exp', 'sub'],
      });
      const roles = Array.isArray(payload.roles)
        ? payload.roles.filter((r): r is Role => (ROLES as readonly unknown[]).includes(r))
        : [];
      if (!payload.sub || typeof payload.name !== 'string') throw new TryggError('TRYGG_ERR_UNAUTHENTICATED', 'malformed token');
      const locale = typeof payload.locale === 'string' ? payload.locale : 'nb';
      const session = {
        id: typeof payload.jti === 'string' ? payload.jti : null,
        epoch: typeof payload.sv === 'number' ? payload.sv : 0,
        expiresAt: (payload.exp ?? 0) * 1000,
        device: typeof payload.dev === 'string' ? payload.dev : null,
      };
      if (payload.kind === 'client') {
        const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
        return { ...session, principal: { userId: payload.sub, name: payload.name, roles: [], locale, kind: 'client', scopes } };
      }
      return { ...session, principal: { userId: payload.sub, name: payload.name, roles, locale } };
    } catch (err) {
      if (err instanceof TryggError) throw err;
      const expired = err instanceof joseErrors.JWTExpired;
      throw new TryggError('TRYGG_ERR_UNAUTHENTICATED', expired ? 'token expired' : 'invalid token');
    }
  }

  /**
   * A short-lived token for a push notification's Accept / Decline buttons, scoped to one
   * notification, alarm and person: the service worker sends it instead of a sign-in token.
   */
  async issueAction(p: Principal, scope: { alarmId: string; notificationId: string; actions: PushAction[] }, ttlS: number) {
    return new SignJWT({
      name: p.name,
      roles: p.roles,
      locale: p.locale,
      alarm: scope.alarmId,
      nid: scope.notificationId,
      act: scope.actions,
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(p.userId)
      .setIssuer(ISSUER)
      .setAudience(ACTION_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + ttlS)
      .sign(this.key);
  }

  /** Verifies an action token; throws TRYGG_ERR_UNAUTHENTICATED. */
  async verifyAction(token: string): Promise<ActionScope> {
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: ISSUER, audience: ACTION_AUDIENCE, algorithms: ['HS256'] });
      const roles = Array.isArray(payload.roles)
        ? payload.roles.filter((r): r is Role => (ROLES as readonly unknown[]).includes(r))
        : [];
      const actions = Array.isArray(payload.act)
        ? payload.act.filter((a): a is PushAction => (PUSH_ACTIONS as readonly unknown[]).includes(a))
        : [];
      const { sub, name, alarm, nid } = payload;
      if (!sub || typeof name !== 'string' || typeof alarm !== 'string' || typeof nid !== 'string') {
        throw new TryggError('TRYGG_ERR_UNAUTHENTICATED', 'malformed action token');
      }
      const locale = typeof payload.locale === 'string' ? payload.locale : 'nb';
      return { principal: { userId: sub, name, roles, locale }, alarmId: alarm, notificationId: nid, actions };
    } catch (err) {
      if (err instanceof TryggError) throw err;
      const expired = err instanceof joseErrors.JWTExpired;
      throw new TryggError('TRYGG_ERR_UNAUTHENTICATED', expired ? 'action token expired' : 'invalid action token');
    }
  }
}
