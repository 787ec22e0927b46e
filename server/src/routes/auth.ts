/**
 * Sign-in with a local account; the token it returns opens every other route. Guessing is slow
 * twice over: an account locks for an address after repeated wrong passwords from it (never for
 * everyone: a stranger cannot lock out the people who answer alarms), and one address may try
 * only so often (per-IP rate limit).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { API, TryggError, type Pool } from '@trygg/alarm-core';
import { checkLogin, type LockoutPolicy } from '@trygg/devices';
import type { LastingSignIns } from '../auth/lasting.js';
import type { TokenService } from '../auth/tokens.js';
import type { SessionStates } from '../auth/sessions.js';
import { bearer } from '../plugins/auth.js';
import { serve } from './serve.js';

/** A session that ended here: the live server closes its sockets at once. */
export interface SessionEnded {
  userId: string;
  /** The one session signed out; null = every session of the user. */
  sessionId: string | null;
}

export interface AuthRouteOptions {
  pool: Pool;
  tokens: TokenService;
  sessions: SessionStates;
  /** A person on their own phone stays signed in there (lasting.ts). */
  lasting: LastingSignIns;
  lockout: LockoutPolicy;
  /** Sign-in attempts per minute from one address. */
  attemptsPerMinute: number;
  onSessionEnded: (ended: SessionEnded) => void;
}

const auth: FastifyPluginAsyncTypebox<AuthRouteOptions> = async (
  app,
  { pool, tokens, sessions, lasting, lockout, attemptsPerMinute, onSessionEnded },
) => {
  serve(app, API.login, { public: true, rateLimit: { max: attemptsPerMinute, timeWindow: 60_000 } }, async (req) => {
    const user = await checkLogin(pool, req.body.username, req.body.password, req.ip, lockout);
    if ('reason' in user) {
      // The same answer either way: a locked account does not tell an attacker that the name exists.
      const code = user.reason === 'locked' ? 'TRYGG_ERR_ACCOUNT_LOCKED' : 'TRYGG_ERR_LOGIN_FAILED';
      req.log.warn({ code, username: req.body.username, ip: req.ip, passwordChecked: user.passwordChecked }, 'login failed');
      throw new TryggError('TRYGG_ERR_LOGIN_FAILED', 'wrong username or password, or the account is locked for a while');
    }
    const principal = { userId: user.id, name: user.displayName, roles: user.roles, locale: user.locale };
    const session = await lasting.signIn(principal, user.sessionEpoch, req.headers['user-agent']);
    req.log.info({ userId: user.id, lasting: session.refreshToken !== undefined }, 'signed in');
    return session;
  });

  serve(app, API.logout, { action: 'session:end' }, async (req) => {
    // The auth hook has verified the token (and that its session stands); here only its id is read.
    const session = await tokens.verifySession(bearer(req) ?? '');
    const userId = session.principal.userId;
    const everywhere = req.query.everywhere === 'true';
    // Signing out ends the lasting sign-in of this device too (or of every device, everywhere).
    if (everywhere) await lasting.revoke(userId, null, 'everywhere');
    else if (session.device) await lasting.revoke(userId, session.device, 'signed-out');
    if (everywhere) await sessions.endAll(userId);
    else if (session.id) await sessions.end(session.id, userId, session.expiresAt);
    else await sessions.endAll(userId); // a token from before sessions had ids can only end with all of them
    req.log.info({ userId, sessionId: session.id, device: session.device, everywhere }, 'signed out');
    onSessionEnded({ userId, sessionId: everywhere ? null : session.id });
    return { signedOut: true as const };
  });

  serve(app, API.me, { action: 'me:read' }, async (req) => {
    if (!req.principal) throw new TryggError('TRYGG_ERR_UNAUTHENTICATED');
    return req.principal;
  });
};
export default auth;
