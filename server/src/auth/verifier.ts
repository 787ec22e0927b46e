/**
 * Every bearer token, REST or socket, is verified here. A token names its issuer: Trygg's own
 * (local sign-in, client credentials) is checked by the TokenService; the identity provider's by
 * OidcProvider. Then the caller becomes a Principal: a person through the Trygg account linked
 * to the provider's subject (roles live in Trygg, not in the provider), or an API client through
 * its registration (the token's scopes, cut down to those the client was granted). A person's
 * Trygg session must also still stand (sessions.ts): account there, unchanged, not signed out.
 */
import { decodeJwt, type JWTPayload } from 'jose';
import { TryggError, type Pool, type Principal, type Role } from '@trygg/alarm-core';
import { findApiClient } from '@trygg/devices';
import type { OidcProvider } from './oidc.js';
import { SessionStates } from './sessions.js';
import { ISSUER, type ActionScope, type TokenService } from './tokens.js';

/** The scope a person's access token from the provider must carry to be used at Trygg. */
export const PERSON_SCOPE = 'trygg';

function scopesOf(claims: JWTPayload): string[] {
  if (typeof claims.scope === 'string') return claims.scope.split(' ').filter(Boolean);
  const scp: unknown = claims.scp;
  return Array.isArray(scp) ? scp.filter((s): s is string => typeof s === 'string') : [];
}

/** A Trygg account linked to a provider subject, with its session epoch for a session's token. */
export interface LinkedAccount {
  principal: Principal;
  sessionEpoch: number;
}

export class AccessVerifier {
  /** Whether sessions still stand; also how they end (sign-out). */
  readonly sessions: SessionStates;

  constructor(
    private readonly pool: Pool,
    private readonly tokens: TokenService,
    readonly oidc: OidcProvider | null,
    opts: { sessionCheckMs?: number } = {},
  ) {
    this.sessions = new SessionStates(pool, opts.sessionCheckMs ?? 5_000);
  }

  async verify(token: string): Promise<Principal> {
    let iss: unknown;
    try {
      iss = decodeJwt(token).iss;
    } catch {
      throw new TryggError('TRYGG_ERR_UNAUTHENTICATED', 'invalid token');
    }
    if (iss === ISSUER) {
      const session = await this.tokens.verifySession(token);
      const p = session.principal;
      // A revoked client is refused at once, not when its token runs out.
      if (p.kind === 'client') {
        if (!(await findApiClient(this.pool, p.userId.replace(/^client:/, ''))))
          throw new TryggError('TRYGG_ERR_UNAUTHENTICATED', 'this API client is revoked');
        return p;
      }
      await this.sessions.check(p.userId, session.epoch, session.id, session.device);
      return p;
    }
    if (this.oidc && iss === this.oidc.issuer) return this.principalOf(await this.oidc.verifyAccessToken(token));
    throw new TryggError('TRYGG_ERR_UNAUTHENTICATED', 'token from an issuer Trygg does not trust');
  }

  /**
   * Whether each of these tokens still opens Trygg (the live server's periodic look at its open
   * sockets): Trygg's own sessions are looked up together in one round trip, others one by one.
   */
  async stillValid(tokens: readonly string[]): Promise<boolean[]> {
    const own = await Promise.all(
      tokens.map((t) =>
        this.tokens.verifySession(t).then(
          (s) => (s.principal.kind === 'client' ? null : s),
          () => null,
        ),
      ),
    );
    await this.sessions.refresh(
      own.flatMap((s) => (s ? [{ userId: s.principal.userId, sessionId: s.id, device: s.device }] : [])),
    );
    return Promise.all(
      tokens.map((t, i) => {
        const s = own[i];
        const check = s ? this.sessions.check(s.principal.userId, s.epoch, s.id, s.device) : this.verify(t);
        return check.then(
          () => true,
          () => false,
        );
      }),
    );
  }

  /** A push notification's action token, whose person must still have the account and its roles. */
  async verifyAction(token: string): Promise<ActionScope> {
    const scope = await this.tokens.verifyAction(token);
    await this.sessions.checkRoles(scope.principal.userId, scope.principal.roles);
    return scope;
  }

  /** The Trygg account linked to a provider subject; null when there is none. */
  async personBySubject(subject: string): Promise<LinkedAccount | null> {
    const { rows } = await this.pool.query<{
      id: string;
      display_name: string;
      roles: Role[];
      locale: string;
      session_epoch: number;
    }>('SELECT id, display_name, roles, locale, session_epoch FROM users WHERE external_subject = $1', [subject]);
    const u = rows[0];
    if (!u) return null;
    return {
      principal: { userId: u.id, name: u.display_name, roles: u.roles, locale: u.locale, kind: 'person' },
      sessionEpoch: u.session_epoch,
    };
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
    return person.principal;
  }
}
