/** Sign-in with a local account; the token it returns opens every other route. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorEnvelope, LoginRequest, LoginResponse, Principal, TryggError, type Pool } from '@trygg/alarm-core';
import { verifyLogin } from '@trygg/devices';
import type { TokenService } from '../auth/tokens.js';

const auth: FastifyPluginAsyncTypebox<{ pool: Pool; tokens: TokenService }> = async (app, { pool, tokens }) => {
  app.post(
    '/api/auth/login',
    {
      config: { public: true },
      schema: { tags: ['auth'], body: LoginRequest, response: { 200: LoginResponse, 401: ErrorEnvelope } },
    },
    async (req) => {
      const user = await verifyLogin(pool, req.body.username, req.body.password);
      if (!user) {
        req.log.warn({ code: 'TRYGG_ERR_LOGIN_FAILED', username: req.body.username, ip: req.ip }, 'login failed');
        throw new TryggError('TRYGG_ERR_LOGIN_FAILED');
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
