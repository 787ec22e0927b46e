/**
 * An in-process OpenID Connect provider (`oidc-provider`, the certified implementation) standing
 * in for the municipality's: a web client for Trygg's sign-in (authorization code + PKCE, its
 * development login form accepts any name), an API client with client credentials, and JWT
 * access tokens for two resources (Trygg's audience, and another system's). Its signing key is
 * the test's, so a test can also mint a token exactly as the provider would, e.g. for a person.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, type JWK } from 'jose';
import Provider, { errors } from 'oidc-provider';

export const TRYGG_RESOURCE = 'urn:trygg:api';
export const TRYGG_SHORT_RESOURCE = 'urn:trygg:api:short-lived';
export const OTHER_RESOURCE = 'urn:other-system:api';
export const API_CLIENT = { id: 'kommune-epj', secret: 'epj-secret-for-tests' };
export const WEB_CLIENT = { id: 'trygg-web', secret: 'web-secret-for-tests' };

export interface TestIdentityProvider {
  issuer: string;
  /** A client-credentials access token for `resource`, as the API client would get it. */
  clientToken(resource?: string, scope?: string): Promise<string>;
  /** A token signed with the provider's own key (what it issues to a person's app, say). */
  mint(claims: Record<string, unknown>, opts?: { expiresInS?: number; audience?: string }): Promise<string>;
  close(): Promise<void>;
}

export async function startIdentityProvider(opts: { tryggCallback: string; audience: string }): Promise<TestIdentityProvider> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomUUID();
  const jwk: JWK = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const resourceServer = (audience: string, scope: string, accessTokenTTL: number) => ({
    scope,
    audience,
    accessTokenTTL,
    accessTokenFormat: 'jwt' as const,
    jwt: { sign: { alg: 'RS256' as const } },
  });
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: WEB_CLIENT.id,
        client_secret: WEB_CLIENT.secret,
        redirect_uris: [opts.tryggCallback],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
      {
        client_id: API_CLIENT.id,
        client_secret: API_CLIENT.secret,
        redirect_uris: [],
        response_types: [],
        grant_types: ['client_credentials'],
        scope: 'trygg.alarms.read trygg.journal.admin',
      },
    ],
    jwks: { keys: [jwk] },
    scopes: ['openid', 'trygg', 'trygg.alarms.read', 'trygg.journal.admin'],
    pkce: { required: () => true },
    findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub }) }),
    features: {
      devInteractions: { enabled: true },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => TRYGG_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => {
          if (resource === TRYGG_RESOURCE)
            return resourceServer(opts.audience, 'trygg trygg.alarms.read trygg.journal.admin', 300);
          if (resource === TRYGG_SHORT_RESOURCE) return resourceServer(opts.audience, 'trygg.alarms.read', 1);
          if (resource === OTHER_RESOURCE) return resourceServer('other-system', 'trygg.alarms.read', 300);
          throw new errors.InvalidTarget();
        },
      },
    },
  });
  const handle = provider.callback();
  server.on('request', (req, res) => {
    // oidc-provider answers every request itself, errors included; the promise only says it is done.
    void handle(req, res);
  });

  return {
    issuer,
    clientToken: async (resource = TRYGG_RESOURCE, scope = 'trygg.alarms.read') => {
      const res = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${API_CLIENT.id}:${API_CLIENT.secret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', resource, scope }),
      });
      const body = (await res.json()) as { access_token?: string; error?: string; error_description?: string };
      if (!body.access_token)
        throw new Error(`token request failed: ${body.error ?? res.status} ${body.error_description ?? ''}`);
      return body.access_token;
    },
    mint: async (claims, o = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid, typ: 'at+jwt' })
        .setIssuer(issuer)
        .setAudience(o.audience ?? opts.audience)
        .setIssuedAt()
        .setJti(randomUUID())
        .setExpirationTime(Math.floor(Date.now() / 1000) + (o.expiresInS ?? 300))
        .sign(privateKey),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
