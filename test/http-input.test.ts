/**
 * Malformed HTTP input is the client's mistake, answered 4xx and never a 500 with a stack in the
 * log: NUL characters and lone surrogates in JSON bodies, query strings, forms and CSV (refused
 * 400 TRYGG_ERR_VALIDATION naming the field), a CSV in Latin-1 (read by its declared charset, or
 * refused when it claims to be UTF-8), empty and broken bodies on every route, and `%` / `_` in
 * a resident search (literal characters, not wildcards).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS, type GuardedRoute } from '@trygg/server';
import type { Role } from '@trygg/alarm-core';
import { startTestService, type TestService } from './support/service.js';

let svc: TestService;
let admin: string;
let operator: string;

beforeAll(async () => {
  svc = await startTestService();
  admin = (await svc.login('admin')).token;
  operator = (await svc.login('operator')).token;
  // Signed in once each, before the probes below spend this address's sign-in budget.
  for (const u of ['staff1', 'tech', 'ola']) await svc.login(u);
});
afterAll(async () => {
  await svc?.stop();
});

interface Answer {
  status: number;
  body: { code?: string; message?: string; error?: string; residents?: { name: string }[] } & Record<string, unknown>;
}

async function send(
  method: string,
  url: string,
  opts: { token?: string; type?: string; body?: string | Uint8Array<ArrayBuffer> } = {},
) {
  const res = await fetch(svc.httpUrl + url, {
    method,
    headers: {
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...(opts.type ? { 'content-type': opts.type } : {}),
    },
    body: opts.body ?? null,
  });
  const text = await res.text();
  let body: Answer['body'] = {};
  try {
    body = JSON.parse(text) as Answer['body'];
  } catch {
    // not JSON (e.g. the web app's page)
  }
  return { status: res.status, body };
}

/** Log lines at error level or above (pino: 50) written since `from`. */
const errorsLogged = (from: number) => svc.logs.slice(from).filter((l) => typeof l.level === 'number' && l.level >= 50);

describe('NUL and lone surrogates', () => {
  it('are refused 400 naming the field: login, search, OAuth token, CSV import', async () => {
    const from = svc.logs.length;
    const login = await send('POST', '/api/auth/login', {
      type: 'application/json',
      body: JSON.stringify({ username: 'oper\u0000ator', password: 'x' }),
    });
    expect(login).toMatchObject({ status: 400, body: { code: 'TRYGG_ERR_VALIDATION' } });
    expect(login.body.message).toMatch(/body\/username/);

    // A lone surrogate written as a JSON escape: no UTF-8 can carry it, the database would get U+FFFD.
    const surrogate = await send('POST', '/api/auth/login', {
      type: 'application/json',
      body: '{"username":"oper\\ud800ator","password":"x"}',
    });
    expect(surrogate).toMatchObject({ status: 400, body: { code: 'TRYGG_ERR_VALIDATION' } });
    expect(surrogate.body.message).toMatch(/body\/username/);

    // A character outside the BMP is a surrogate pair, and welcome.
    const emoji = await send('POST', '/api/auth/login', {
      type: 'application/json',
      body: JSON.stringify({ username: '👵🏻', password: 'x' }),
    });
    expect(emoji).toMatchObject({ status: 401, body: { code: 'TRYGG_ERR_LOGIN_FAILED' } });

    const search = await send('GET', '/api/residents?q=Kari%00', { token: operator });
    expect(search).toMatchObject({ status: 400, body: { code: 'TRYGG_ERR_VALIDATION' } });
    expect(search.body.message).toMatch(/querystring\/q/);

    const params = await send('GET', '/api/residents/res%00kari', { token: operator });
    expect(params.status).toBe(400);

    // The token endpoint answers in RFC 6749 §5.2's shape, as OAuth client libraries expect.
    const token = await send('POST', '/api/oauth/token', {
      type: 'application/x-www-form-urlencoded',
      body: 'grant_type=client_credentials&client_id=a%00b&client_secret=x',
    });
    expect(token).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect(String(token.body.error_description)).toMatch(/client_id/);

    const csv = await send('POST', '/api/import/residents?dryRun=true', {
      token: admin,
      type: 'text/csv',
      body: 'name,address\nNul Nilsen,Gata 1\nBad\u0000Row,Gata 2\n',
    });
    expect(csv).toMatchObject({ status: 400, body: { code: 'TRYGG_ERR_VALIDATION' } });
    expect(csv.body.message).toMatch(/line 3/);

    expect(errorsLogged(from)).toEqual([]);
  });
});

describe('CSV character sets', () => {
  const latin1 = new Uint8Array(Buffer.from('name,address,consent\nBjørn Ærø,Åsveien 3,ja\n', 'latin1'));

  it('refuses a Latin-1 file that does not say so, naming the line, and stores nothing', async () => {
    const res = await send('POST', '/api/import/residents', { token: admin, type: 'text/csv', body: latin1 });
    expect(res).toMatchObject({ status: 400, body: { code: 'TRYGG_ERR_VALIDATION' } });
    expect(res.body.message).toMatch(/UTF-8.*line 2/);
    const found = await send('GET', `/api/residents?q=${encodeURIComponent('Bj')}`, { token: admin });
    expect(found.body.residents).toEqual([]);
  });

  it('reads a file declared as ISO-8859-1 (or windows-1252) by its charset', async () => {
    const res = await send('POST', '/api/import/residents', {
      token: admin,
      type: 'text/csv; charset=ISO-8859-1',
      body: latin1,
    });
    expect(res).toMatchObject({ status: 200, body: { imported: 1 } });
    const found = await send('GET', `/api/residents?q=${encodeURIComponent('Bjørn')}`, { token: admin });
    expect(found.body.residents?.map((r) => r.name)).toEqual(['Bjørn Ærø']);
  });

  it('refuses a charset it does not know', async () => {
    const res = await send('POST', '/api/import/residents?dryRun=true', {
      token: admin,
      type: 'text/csv; charset=ebcdic-cp-us',
      body: 'name\nX\n',
    });
    expect(res).toMatchObject({ status: 400, body: { code: 'TRYGG_ERR_VALIDATION' } });
    expect(res.body.message).toMatch(/charset ebcdic-cp-us/);
  });
});

describe('resident search', () => {
  it('treats % and _ as the characters they are, not as wildcards', async () => {
    for (const q of ['%', '_', '%%', 'K_ri'])
      expect((await send('GET', `/api/residents?q=${encodeURIComponent(q)}`, { token: operator })).body.residents, q).toEqual([]);
    const kari = await send('GET', '/api/residents?q=Kari', { token: operator });
    expect(kari.body.residents?.map((r) => r.name)).toEqual(['Kari Nordmann']);
  });
});

describe('every route', () => {
  /** A signed-in caller the route lets in, so the request reaches parsing and validation. */
  const DEMO_USER: Record<Role, string> = {
    operator: 'operator',
    staff: 'staff1',
    technician: 'tech',
    relative: 'ola',
    admin: 'admin',
  };
  const concrete = (url: string) => url.replace(/:[A-Za-z]+/g, () => randomUUID()).replace(/\*$/, 'x');

  async function tokenFor(route: GuardedRoute): Promise<string | undefined> {
    if (route.public || !route.action) return undefined;
    const role = ACTIONS[route.action][0];
    return (await svc.login(DEMO_USER[role])).token;
  }

  it('answers malformed requests 4xx, never 5xx, and logs no error', async () => {
    const from = svc.logs.length;
    const routes = svc.trygg.http.guardedRoutes.filter((r) => !r.url.startsWith('/api/auth/oidc'));
    expect(routes.length).toBeGreaterThan(20);
    const answers: { route: string; probe: string; status: number }[] = [];
    for (const r of routes) {
      const token = await tokenFor(r);
      const url = concrete(r.url);
      const probes: [string, { url: string; type?: string; body?: string }][] = [['NUL in the query', { url: `${url}?q=%00` }]];
      if (r.method !== 'GET' && r.method !== 'DELETE')
        probes.push(
          ['empty JSON body', { url, type: 'application/json', body: '' }],
          ['broken JSON', { url, type: 'application/json', body: '{"a":' }],
          ['JSON null', { url, type: 'application/json', body: 'null' }],
          ['JSON array', { url, type: 'application/json', body: '[1]' }],
          ['NUL in JSON', { url, type: 'application/json', body: '{"id":"\\u0000","type":"\\u0000"}' }],
          ['empty form', { url, type: 'application/x-www-form-urlencoded', body: '' }],
          ['unknown type', { url, type: 'application/x-evil', body: 'x' }],
        );
      for (const [probe, p] of probes) {
        const res = await send(r.method, p.url, { token, type: p.type, body: p.body });
        answers.push({ route: `${r.method} ${r.url}`, probe, status: res.status });
      }
    }
    expect(answers.filter((a) => a.status >= 500)).toEqual([]);
    expect(errorsLogged(from)).toEqual([]);
  });
});
