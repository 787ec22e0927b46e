/**
 * The policy holds for every door: this walks every registered REST route and every socket
 * event and proves each refuses an anonymous caller, every role the policy does not name, and an
 * API client without the scope. New routes are covered the moment they are registered.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIVE_CLIENT_EVENTS, ROLES, type Role } from '@trygg/alarm-core';
import { createApiClient } from '@trygg/devices';
import { ACTIONS, type GuardedRoute } from '@trygg/server';
import { startTestService, type TestService } from './support/service.js';

let svc: TestService;
let routes: GuardedRoute[];
const tokens = new Map<Role, string>();
let clientToken: string;

/** A demo user of each role. */
const DEMO_USER: Record<Role, string> = {
  operator: 'operator',
  staff: 'staff1',
  technician: 'tech',
  relative: 'ola',
  admin: 'admin',
};

beforeAll(async () => {
  svc = await startTestService();
  routes = svc.trygg.http.guardedRoutes.filter((r) => !r.public);
  for (const role of ROLES) tokens.set(role, (await svc.login(DEMO_USER[role])).token);
  // An API client holding no scope at all.
  const { secret } = await createApiClient(svc.trygg.pool, { id: 'no-scopes', name: 'No scopes', scopes: [] });
  const res = await fetch(`${svc.httpUrl}/api/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'no-scopes', client_secret: secret }),
  });
  clientToken = ((await res.json()) as { access_token: string }).access_token;
});
afterAll(async () => {
  await svc?.stop();
});

/** A concrete URL for a route pattern: every parameter becomes a fresh UUID. */
const concrete = (url: string) => url.replace(/:[A-Za-z]+/g, () => randomUUID()).replace(/\*$/, 'x');

async function call(route: GuardedRoute, token: string | null): Promise<{ status: number; code?: string }> {
  const res = await fetch(`${svc.httpUrl}${concrete(route.url)}`, {
    method: route.method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { 'content-type': 'application/json' }),
    },
    body: route.method === 'GET' || route.method === 'DELETE' ? undefined : '{}',
  });
  const body = (await res.json().catch(() => ({}))) as { code?: string };
  return { status: res.status, code: body.code };
}

describe('every REST route', () => {
  it('is known to the policy (and there are routes to check)', () => {
    expect(routes.length).toBeGreaterThan(10);
    for (const r of routes) expect(r.action, `${r.method} ${r.url}`).not.toBeNull();
  });

  it('refuses an anonymous caller', async () => {
    for (const r of routes) {
      const res = await call(r, null);
      expect({ route: `${r.method} ${r.url}`, ...res }).toEqual({
        route: `${r.method} ${r.url}`,
        status: 401,
        code: 'TRYGG_ERR_UNAUTHENTICATED',
      });
    }
  });

  it('refuses every role the policy does not name', async () => {
    let checked = 0;
    for (const r of routes.filter((x) => !x.actionToken)) {
      const allowed: readonly Role[] = r.action ? ACTIONS[r.action] : [];
      for (const role of ROLES.filter((x) => !allowed.includes(x))) {
        const res = await call(r, tokens.get(role) ?? null);
        expect({ route: `${r.method} ${r.url}`, role, ...res }).toEqual({
          route: `${r.method} ${r.url}`,
          role,
          status: 403,
          code: 'TRYGG_ERR_FORBIDDEN',
        });
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('refuses an API client without the scope', async () => {
    for (const r of routes.filter((x) => !x.actionToken)) {
      const res = await call(r, clientToken);
      expect({ route: `${r.method} ${r.url}`, ...res }).toEqual({
        route: `${r.method} ${r.url}`,
        status: 403,
        code: 'TRYGG_ERR_FORBIDDEN',
      });
    }
  });
});

describe('routes opened by a push action token', () => {
  it('refuse every sign-in token and API client token: only the scoped action token opens them', async () => {
    const actionRoutes = routes.filter((r) => r.actionToken);
    expect(actionRoutes.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /api/push/actions', 'POST /api/push/receipts']);
    for (const r of actionRoutes) {
      for (const token of [...tokens.values(), clientToken]) {
        expect({ route: `${r.method} ${r.url}`, ...(await call(r, token)) }).toEqual({
          route: `${r.method} ${r.url}`,
          status: 401,
          code: 'TRYGG_ERR_UNAUTHENTICATED',
        });
      }
    }
  });
});

describe('every socket event', () => {
  it('is closed to an anonymous caller and to roles without live access', async () => {
    expect(LIVE_CLIENT_EVENTS.length).toBeGreaterThan(0);
    await expect(svc.operatorSocket('')).rejects.toThrow(/TRYGG_ERR_UNAUTHENTICATED/);
    const operators: readonly Role[] = ACTIONS['live:operators'];
    const connecting = new Set<Role>([...operators, ...ACTIONS['live:technicians']]);
    for (const role of ROLES.filter((x) => !connecting.has(x)))
      await expect(svc.operatorSocket(tokens.get(role) ?? ''), role).rejects.toThrow(/TRYGG_ERR_FORBIDDEN/);
    await expect(svc.operatorSocket(clientToken)).rejects.toThrow(/TRYGG_ERR_FORBIDDEN/);
    // Technicians connect for installation tests, but the alarm stream stays the response centre's.
    for (const role of ROLES.filter((x) => connecting.has(x) && !operators.includes(x))) {
      const socket = await svc.operatorSocket(tokens.get(role) ?? '');
      const reply = await socket.timeout(5_000).emitWithAck('resume', { after: 0 });
      expect(reply, role).toMatchObject({ mode: 'error', code: 'TRYGG_ERR_FORBIDDEN' });
      socket.close();
    }
  });
});
