/**
 * Who may call Trygg: tokens from the municipality's identity provider (an in-process
 * `oidc-provider`), Trygg's own client-credentials tokens for API clients, and local accounts
 * that lock after repeated failures. Valid, expired, wrong-audience, wrong-issuer, forged and
 * unsigned tokens; scopes cut down to what a client was granted; revocation at once.
 */
import { generateKeyPairSync } from 'node:crypto';
import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient, revokeApiClient } from '@trygg/devices';
import {
  API_CLIENT,
  OTHER_RESOURCE,
  TRYGG_SHORT_RESOURCE,
  WEB_CLIENT,
  startIdentityProvider,
  type TestIdentityProvider,
} from './support/oidc.js';
import { freePort } from './support/ports.js';
import { startTestService, type TestService } from './support/service.js';

let idp: TestIdentityProvider;
let other: TestIdentityProvider;
let svc: TestService;

beforeAll(async () => {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  idp = await startIdentityProvider({ tryggCallback: `${publicUrl}/api/auth/oidc/callback`, audience: 'trygg-api' });
  other = await startIdentityProvider({ tryggCallback: `${publicUrl}/api/auth/oidc/callback`, audience: 'trygg-api' });
  svc = await startTestService({
    config: {
      port,
      publicUrl,
      oidcIssuer: idp.issuer,
      oidcAudience: 'trygg-api',
      oidcClientId: WEB_CLIENT.id,
      oidcClientSecret: WEB_CLIENT.secret,
      loginMaxFailures: 3,
    },
  });
  // The municipality's EPJ is registered at Trygg with read access to alarms only.
  await svc.trygg.pool.query(`INSERT INTO api_clients (id, name, scopes) VALUES ($1, 'Kommunens EPJ', '{trygg.alarms.read}')`, [
    API_CLIENT.id,
  ]);
  await svc.trygg.pool.query(`UPDATE users SET external_subject = 'hid-operator2' WHERE username = 'operator2'`);
});
afterAll(async () => {
  await svc?.stop();
  await idp?.close();
  await other?.close();
});

const get = (url: string, token: string) => svc.api<{ code?: string; message?: string }>('GET', url, token);

describe('tokens from the identity provider', () => {
  it('accepts an API client’s token, with only the scopes Trygg granted it', async () => {
    const token = await idp.clientToken(undefined, 'trygg.alarms.read trygg.journal.admin');
    expect((await get('/api/alarms', token)).status).toBe(200);
    // The provider let it ask for journal administration; Trygg never granted that.
    const backlog = await get('/api/journal/backlog', token);
    expect(backlog.status).toBe(403);
    expect(backlog.body.code).toBe('TRYGG_ERR_FORBIDDEN');
  });

  it('refuses an expired token', async () => {
    const token = await idp.clientToken(TRYGG_SHORT_RESOURCE);
    await new Promise((r) => setTimeout(r, 2_100));
    const res = await get('/api/alarms', token);
    expect(res.status).toBe(401);
    expect(res.body.message).toBe('token expired');
  });

  it('refuses a token meant for another system (wrong audience)', async () => {
    const res = await get('/api/alarms', await idp.clientToken(OTHER_RESOURCE));
    expect(res.status).toBe(401);
    expect(res.body.message).toBe('token aud is not accepted');
  });

  it('refuses a token from a provider Trygg does not trust (wrong issuer)', async () => {
    const res = await get('/api/alarms', await other.clientToken());
    expect(res.status).toBe(401);
    expect(res.body.message).toMatch(/issuer Trygg does not trust/);
  });

  it('refuses a token that claims the trusted issuer but is signed with another key', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = await new SignJWT({ client_id: API_CLIENT.id, scope: 'trygg.alarms.read' })
      .setProtectedHeader({ alg: 'RS256', kid: 'not-the-providers' })
      .setIssuer(idp.issuer)
      .setAudience('trygg-api')
      .setSubject(API_CLIENT.id)
      .setExpirationTime('5m')
      .sign(privateKey);
    expect((await get('/api/alarms', forged)).status).toBe(401);
  });

  it('refuses an unsigned token (alg none), and an HMAC one', async () => {
    const unsigned = new UnsecuredJWT({ client_id: API_CLIENT.id, scope: 'trygg.alarms.read' })
      .setIssuer(idp.issuer)
      .setAudience('trygg-api')
      .setSubject(API_CLIENT.id)
      .setExpirationTime('5m')
      .encode();
    expect((await get('/api/alarms', unsigned)).status).toBe(401);
    const hmac = await new SignJWT({ client_id: API_CLIENT.id, scope: 'trygg.alarms.read' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(idp.issuer)
      .setAudience('trygg-api')
      .setSubject(API_CLIENT.id)
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('a-shared-secret-anyone-could-guess'));
    expect((await get('/api/alarms', hmac)).status).toBe(401);
  });

  it('maps a person’s token to the linked Trygg account, whose roles decide', async () => {
    const token = await idp.mint({ sub: 'hid-operator2', scope: 'openid trygg' });
    const me = await svc.api<{ userId: string; roles: string[] }>('GET', '/api/me', token);
    expect(me.body).toMatchObject({ userId: 'user-operator2', roles: ['operator'] });
    expect((await get('/api/journal/backlog', token)).status).toBe(403);
    // No Trygg account linked, or the token not meant for Trygg (scope): refused.
    const stranger = await get('/api/alarms', await idp.mint({ sub: 'hid-nobody', scope: 'trygg' }));
    expect(stranger.body.code).toBe('TRYGG_ERR_UNKNOWN_IDENTITY');
    expect((await get('/api/alarms', await idp.mint({ sub: 'hid-operator2', scope: 'openid' }))).status).toBe(403);
  });

  it('refuses a registered client’s token over the live socket (no operator scope)', async () => {
    const token = await idp.clientToken();
    await expect(svc.operatorSocket(token)).rejects.toThrow(/TRYGG_ERR_FORBIDDEN/);
  });
});

describe('Trygg as the authorisation server for API clients', () => {
  const tokenRequest = (body: Record<string, string>, basic?: { id: string; secret: string }) =>
    fetch(`${svc.httpUrl}/api/oauth/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(basic ? { authorization: `Basic ${Buffer.from(`${basic.id}:${basic.secret}`).toString('base64')}` } : {}),
      },
      body: new URLSearchParams(body),
    });

  it('issues a scoped token for client credentials, refuses wrong secrets and ungranted scopes, and honours revocation at once', async () => {
    const { secret } = await createApiClient(svc.trygg.pool, {
      id: 'statistikk',
      name: 'Statistikk',
      scopes: ['trygg.alarms.read'],
    });
    const ok = await tokenRequest({ grant_type: 'client_credentials' }, { id: 'statistikk', secret });
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { access_token: string; token_type: string; scope: string };
    expect(body).toMatchObject({ token_type: 'Bearer', scope: 'trygg.alarms.read' });
    expect((await get('/api/alarms', body.access_token)).status).toBe(200);
    expect((await get('/api/journal/backlog', body.access_token)).status).toBe(403);

    const wrong = await tokenRequest({ grant_type: 'client_credentials' }, { id: 'statistikk', secret: 'guess' });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_client' });
    const greedy = await tokenRequest(
      { grant_type: 'client_credentials', scope: 'trygg.journal.admin' },
      { id: 'statistikk', secret },
    );
    expect(await greedy.json()).toMatchObject({ error: 'invalid_scope' });
    const post = await tokenRequest({ grant_type: 'client_credentials', client_id: 'statistikk', client_secret: secret });
    expect(post.status).toBe(200);
    expect(await (await tokenRequest({ grant_type: 'password' }, { id: 'statistikk', secret })).json()).toMatchObject({
      error: 'unsupported_grant_type',
    });

    await revokeApiClient(svc.trygg.pool, 'statistikk');
    expect((await get('/api/alarms', body.access_token)).status).toBe(401);
    expect((await tokenRequest({ grant_type: 'client_credentials' }, { id: 'statistikk', secret })).status).toBe(401);
  });
});

describe('local accounts', () => {
  const login = (username: string, password: string) =>
    svc.api<{ code: string }>('POST', '/api/auth/login', null, { username, password });

  it('locks an account after repeated wrong passwords, and says the same as for a wrong password', async () => {
    const password = svc.demo.users.find((u) => u.username === 'staff2')?.password ?? '';
    for (let i = 0; i < 3; i++) expect((await login('staff2', 'wrong')).body.code).toBe('TRYGG_ERR_LOGIN_FAILED');
    const locked = await login('staff2', password);
    expect(locked.status).toBe(401);
    expect(locked.body.code).toBe('TRYGG_ERR_LOGIN_FAILED');
    expect(svc.logs.some((l) => l.code === 'TRYGG_ERR_ACCOUNT_LOCKED' && l.username === 'staff2')).toBe(true);
    // The lock ends; then the right password works again and the count starts over.
    await svc.trygg.pool.query(
      `UPDATE login_failures SET locked_until = now() - interval '1 second' WHERE user_id = 'user-staff2'`,
    );
    expect((await login('staff2', password)).status).toBe(200);
  });

  it('slows down one address that keeps trying (rate limit)', async () => {
    const answers: number[] = [];
    for (let i = 0; i < 25; i++) answers.push((await login(`nobody-${i}`, 'x')).status);
    expect(answers).toContain(429);
    expect(answers.indexOf(429)).toBeGreaterThan(0);
  });
});
