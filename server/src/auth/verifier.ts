/**
 * Every bearer token, REST or socket, is verified here. A token names its issuer: Trygg's own
 * (local sign-in, client credentials) is checked by the TokenService; the identity provider's by
 * OidcProvider. Then the caller becomes a Principal: a person through the Trygg account linked
 * to the provider's subject (roles live in Trygg, not in the provider), or an API client through
 * its registration (the token's scopes, cut down to those the client was granted).
 */
import { decodeJwt, type JWTPayload } from 'jose';
import { TryggError, type Pool, type Principal, type Role } from '@trygg/alarm-core';
import { findApiClient } from '@trygg/devices';
import type { OidcProvider } from './oidc.js';
import { ISSUER, type TokenService } from './tokens.js';

/** The scope a person's access token from the provider must carry to be used at Trygg. */
export const PERSON_SCOPE = 'trygg';

function scopesOf(claims: JWTPayload): string[] {
  if (typeof claims.scope === 'string') return claims.scope.split(' ').filter(Boolean);
  const scp: unknown = claims.scp;
  return Array.isArray(scp) ? scp.filter((s): s is string => typeof s === 'string') : [];
}

export class AccessVerifier {
  constructor(
    private readonly pool: Pool,
    private readonly tokens: TokenService,
    readonly oidc: OidcProvider | null,
  ) {}

  async verify(token: string): Promise<Principal> {
    let iss: unknown;
    try {
      iss = decodeJwt(token).iss;
    } catch {
      throw new TryggError('TRYGG_ERR_UNAUTHENTICATED', 'invalid token');
    }
    if (iss === ISSUER) {
      const p = await this.tokens.verify(token);
      // A revoked client is refused at once, not when its token runs out.
      if (p.kind === 'client' && !(await findApiClient(this.pool, p.userId.replace(/^client:/, ''))))
        throw new TryggError('TRYGG_ERR_UNAUTHENTICATED', 'this API client is revoked');
      return p;
    }
    if (this.oidc && iss === this.oidc.issuer) return this.principalOf(await this.oidc.verifyAccessToken(token));
    throw new TryggError('TRYGG_ERR_UNAUTHENTICATED', 'token from an issuer Trygg does not trust');
  }

  /** The Trygg account linked to a provider subject, as a Principal; null when there is none. */
  async personBySubject(subject: string): Promise<Principal | null> {
    const { rows } = await this.pool.query<{ id: string; display_name: string; roles: Role[]; locale: string }>(
      'SELECT id, display_name, roles, locale FROM users WHERE external_subject = $1',
      [subject],
    );
    const u = rows[0];
    return u ? { userId: u.id, name: u.display_name, roles: u.roles, locale: u.locale, kind: 'person' } : null;
  }

  private async principalOf(claims: JWTPayload): Promise<Principal> {
    const scopes = scopesOf(claims);
    const sub = claims.sub ?? '';
    const clientId = typeof claims.client_id === 'string' ? claims.client_id : null;
    // RFC 9068: a client-credentials token's subject is the client itself.
    if (clientId !== null && sub === clientId) {
      const registered = await findApiClient(this.pool, clientId);
      if (!registered) throw new TryggError('TRYGG_ERR_UNKNOWN_IDENTITY', `API client ${clientId} is not registered at Trygg`);
      const granted = scopes.filter((s) => registered.scopes.includes(s));
      return {
        userId: `client:${registered.id}`,
        name: registered.name,
        roles: [],
        locale: 'en',
        kind: 'client',
        scopes: granted,
      };
    }
    if (!scopes.includes(PERSON_SCOPE)) throw new TryggError('TRYGG_ERR_FORBIDDEN', `the token lacks the scope ${PERSON_SCOPE}`);
    const person = await this.personBySubject(sub);
    if (!person) throw new TryggError('TRYGG_ERR_UNKNOWN_IDENTITY');
    return person;
  }
}
