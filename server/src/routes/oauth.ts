/**
 * OAuth 2.0 client credentials for API clients (other municipal systems) when Trygg is its own
 * authorisation server (the embedded default; with an identity provider, clients get tokens
 * there). RFC 6749 §4.4: `grant_type=client_credentials`, the client authenticated with HTTP
 * Basic (client_secret_basic) or in the form body (client_secret_post), `scope` optional (all
 * the client was granted). Errors take RFC 6749 §5.2's shape, not Trygg's envelope, because
 * OAuth client libraries read that: a refusal is thrown as an OAuthRefusal and answered by this
 * route's own error handler.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { API, TryggError, type OAuthErrorCode, type Pool } from '@trygg/alarm-core';
import { verifyApiClient } from '@trygg/devices';
import type { TokenService } from '../auth/tokens.js';
import { serve } from './serve.js';

const TOKEN_TTL_S = 15 * 60;

/** A refusal in RFC 6749 §5.2's terms. */
class OAuthRefusal extends Error {
  constructor(
    readonly status: 400 | 401 | 429,
    readonly error: OAuthErrorCode,
    description: string,
  ) {
    super(description);
    this.name = 'OAuthRefusal';
  }
}

/** client_secret_basic: `Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 §2.3.1). */
function basicCredentials(req: FastifyRequest): { id: string; secret: string } | null {
  const h = req.headers.authorization;
  if (!h?.startsWith('Basic ')) return null;
  const decoded = Buffer.from(h.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  try {
    return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
  } catch {
    return null;
  }
}

function refuse(req: FastifyRequest, reply: FastifyReply, r: OAuthRefusal): void {
  req.log.warn({ code: 'TRYGG_ERR_OAUTH', error: r.error, ip: req.ip }, r.message);
  if (r.status === 401) void reply.header('www-authenticate', 'Basic realm="trygg"');
  void reply.status(r.status).header('cache-control', 'no-store').send({ error: r.error, error_description: r.message });
}

/**
 * A refusal, and whatever else goes wrong before or in the handler short of a bug (a malformed
 * body, a NUL in a field, the rate limit), answers in RFC 6749 §5.2's shape; a bug is still a
 * 500, logged, with nothing of it sent.
 */
function oauthError(err: FastifyError | TryggError | OAuthRefusal, req: FastifyRequest, reply: FastifyReply): void {
  if (err instanceof OAuthRefusal) return refuse(req, reply, err);
  const status = err instanceof TryggError ? err.status : (err.statusCode ?? 500);
  if (status < 500) return refuse(req, reply, new OAuthRefusal(status === 429 ? 429 : 400, 'invalid_request', err.message));
  req.log.error({ err, code: 'TRYGG_ERR_INTERNAL' }, 'unhandled error');
  void reply.status(500).header('cache-control', 'no-store').send({ error: 'server_error', error_description: 'internal error' });
}

const oauth: FastifyPluginAsyncTypebox<{ pool: Pool; tokens: TokenService; attemptsPerMinute: number }> = async (
  app,
  { pool, tokens, attemptsPerMinute },
) => {
  serve(
    app,
    API.oauthToken,
    { public: true, rateLimit: { max: attemptsPerMinute, timeWindow: 60_000 } },
    async (req, reply) => {
      if (req.body.grant_type !== 'client_credentials')
        throw new OAuthRefusal(400, 'unsupported_grant_type', 'only client_credentials is offered');
      const basic = basicCredentials(req);
      const id = basic?.id ?? req.body.client_id;
      const secret = basic?.secret ?? req.body.client_secret;
      if (!id || !secret) throw new OAuthRefusal(401, 'invalid_client', 'client authentication is required');
      const client = await verifyApiClient(pool, id, secret);
      if (!client) throw new OAuthRefusal(401, 'invalid_client', 'unknown client or wrong secret');
      const asked = req.body.scope?.split(' ').filter(Boolean) ?? client.scopes;
      const refused = asked.filter((s) => !client.scopes.includes(s));
      if (refused.length > 0) throw new OAuthRefusal(400, 'invalid_scope', `not granted to this client: ${refused.join(' ')}`);
      const { token } = await tokens.issue(
        { userId: `client:${client.id}`, name: client.name, roles: [], locale: 'en', kind: 'client', scopes: asked },
        TOKEN_TTL_S,
      );
      req.log.info({ clientId: client.id, scopes: asked }, 'API client token issued');
      void reply.header('cache-control', 'no-store');
      return { access_token: token, token_type: 'Bearer' as const, expires_in: TOKEN_TTL_S, scope: asked.join(' ') };
    },
    { errorHandler: oauthError },
  );
};
export default oauth;
