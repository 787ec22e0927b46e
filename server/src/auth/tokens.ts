/**
 * Sign-in tokens: JWTs (HS256, jose) signed with a key generated on first start and kept in the
 * settings table, so every node of one installation shares it and restarts keep sessions.
 */
import { randomBytes } from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { ROLES, TryggError, type Pool, type Principal, type Role } from '@trygg/alarm-core';

const ISSUER = 'trygg';
const AUDIENCE = 'trygg-api';

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

  async issue(p: Principal): Promise<{ token: string; expiresAt: string }> {
    const exp = Math.floor(Date.now() / 1000) + this.ttlSeconds;
    const token = await new SignJWT({ name: p.name, roles: p.roles, locale: p.locale })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(p.userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(exp)
      .sign(this.key);
    return { token, expiresAt: new Date(exp * 1000).toISOString() };
  }

  /** Verifies signature, algorithm, issuer, audience and expiry; throws TRYGG_ERR_UNAUTHENTICATED. */
  async verify(token: string): Promise<Principal> {
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
      const roles = Array.isArray(payload.roles)
        ? payload.roles.filter((r): r is Role => (ROLES as readonly unknown[]).includes(r))
        : [];
      if (!payload.sub || typeof payload.name !== 'string') throw new TryggError('TRYGG_ERR_UNAUTHENTICATED', 'malformed token');
      return {
        userId: payload.sub,
        name: payload.name,
        roles,
        locale: typeof payload.locale === 'string' ? payload.locale : 'nb',
      };
    } catch (err) {
      if (err instanceof TryggError) throw err;
      const expired = err instanceof joseErrors.JWTExpired;
      throw new TryggError('TRYGG_ERR_UNAUTHENTICATED', expired ? 'token expired' : 'invalid token');
    }
  }
}
