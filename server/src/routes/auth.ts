/**
 * Sign-in with a local account; the token it returns opens every other route. Guessing is slow
 * twice over: an account locks for an address after repeated wrong passwords from it (never for
 * everyone: a stranger cannot lock out the people who answer alarms), and one address may try
 * only so often (per-IP rate limit).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorEnvelope, LoginRequest, LoginResponse, Principal, TryggError, type Pool } from '@trygg/alarm-core';
import { checkLogin, type LockoutPolicy } from '@trygg/devices';
import type { TokenService } from '../auth/tokens.js';

export interface AuthRouteOptions {
  pool: Pool;
  tokens: TokenService;
  lockout: LockoutPolicy;
  /** Sign-in attempts per minute from one address. */
  attemptsPerMinute: number;
}

const auth: FastifyPluginAsyncTypebox<AuthRouteOptions> = async (app, { pool, tokens, lockout, attemptsPerMinute }) => {
  app.post(
    '/api/auth/login',
    {
      config: { public: true, rateLimit: { max: attemptsPerMinute, timeWindow: 60_000 } },
      schema: { tags: ['auth'], body: LoginRequest, response: { 200: LoginResponse, 401: ErrorEnvelope, 429: ErrorEnvelope } },
    },
    async (req) => {
      const user = await checkLogin(pool, req.body.username, req.body.password, req.ip, lockout);
      if ('reason' in user) {
        // The same answer either way: a locked account does not tell an attacker that the name exists.
        const code = user.reason === 'locked' ? 'TRYGG_ERR_ACCOUNT_LOCKED' : 'TRYGG_ERR_LOGIN_FAILED';
        req.log.warn({ code, username: req.body.username, ip: req.ip, passwordChecked: user.passwordChecked }, 'login failed');
        throw new TryggError('TRYGG_ERR_LOGIN_FAILED', 'wrong username or password, or the account is locked for a while');
      }
      const principal = { userId: user.id, name: user.displayName, roles: user.roles, locale: user.locale };
      const { token, expiresAt } = await tokens.issue(principal);
      req.log.info({ userId: user.id }, 'signed in');
      return { token, expiresAt, user: principal };
    },
  );
  app.get('/api/me', { config: { action: 'me:read' }, schema: { tags: ['auth'], response: { 200: Principal } } }, async (req) => {
    if (!req.principal) throw new TryggError('TRYGG_ERR_UNAUTHENTICATED');
    return req.principal;
  });
};
export default auth;
