/**
 * A session ends when it should, not only when its token runs out: signing out (this session,
 * or every one), the account erased, its roles or password changed. Each is shown from outside
 * with the token the client holds — refused by the REST API — and with the live socket it
 * opened, which the server closes (at once for a sign-out, at its next look for the rest, every
 * TRYGG_SESSION_CHECK_S). A socket also closes when its token runs out, and a push
 * notification's action token stops working when its person loses the role.
 */
import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from './support/service.js';

let svc: TestService;

beforeAll(async () => {
  svc = await startTestService({ config: { sessionCheckS: 1 } });
});
afterAll(async () => {
  await svc?.stop();
});

const password = (username: string) => svc.demo.users.find((u) => u.username === username)?.password ?? '';

/** A fresh session (not the test service's shared one). */
async function signIn(username: string): Promise<string> {
  const res = await svc.api<{ token: string }>('POST', '/api/auth/login', null, { username, password: password(username) });
  expect(res.status, `sign-in ${username}`).toBe(200);
  return res.body.token;
}

const me = (token: string) => svc.api<{ code?: string; message?: string }>('GET', '/api/me', token);

/** A live socket with its close observed: resolves `closed` when the server ends it. */
async function live(token: string, nsp = '/'): Promise<{ socket: Socket; closed: Promise<string> }> {
  const socket = io(`${svc.httpUrl}${nsp === '/' ? '' : nsp}`, {
    path: '/socket.io',
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  const closed = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
  return { socket, closed };
}

const within = <T>(p: Promise<T>, ms = 15_000) =>
  Promise.race([p, new Promise<never>((_r, reject) => setTimeout(() => reject(new Error(`not within ${ms} ms`)), ms))]);

describe('signing out', () => {
  it('ends this session at once (REST and live socket), and no other', async () => {
    const token = await signIn('operator');
    const other = await signIn('operator');
    const socket = await live(token);
    expect((await me(token)).status).toBe(200);

    const out = await svc.api('POST', '/api/auth/logout', token);
    expect(out).toMatchObject({ status: 200, body: { signedOut: true } });
    expect(await within(socket.closed)).toBe('io server disconnect');
    expect(await me(token)).toMatchObject({ status: 401, body: { code: 'TRYGG_ERR_UNAUTHENTICATED' } });
    await expect(svc.operatorSocket(token)).rejects.toThrow(/TRYGG_ERR_UNAUTHENTICATED/);
    // The person's other session (another screen) goes on.
    expect((await me(other)).status).toBe(200);
  });

  it('everywhere ends every session of the person', async () => {
    const a = await signIn('tech');
    const b = await signIn('tech');
    expect((await svc.api('POST', '/api/auth/logout?everywhere=true', a)).status).toBe(200);
    expect((await me(a)).status).toBe(401);
    expect((await me(b)).status).toBe(401);
    // Signing in again works.
    expect((await me(await signIn('tech'))).status).toBe(200);
  });
});

describe('a changed account', () => {
  it('ends the sessions of a person whose roles change', async () => {
    const token = await signIn('operator2');
    const socket = await live(token);
    await svc.trygg.pool.query(`UPDATE users SET roles = '{staff}' WHERE username = 'operator2'`);
    expect(await within(socket.closed)).toBe('io server disconnect');
    await expect.poll(async () => (await me(token)).status, { timeout: 10_000 }).toBe(401);
    expect((await me(token)).body.message).toMatch(/roles changed/);
    await svc.trygg.pool.query(`UPDATE users SET roles = '{operator}' WHERE username = 'operator2'`);
  });

  it('ends the sessions of a person whose password changes', async () => {
    const token = await signIn('staff2');
    await svc.trygg.pool.query(`UPDATE users SET password_hash = 'scrypt$changed' WHERE username = 'staff2'`);
    await expect.poll(async () => (await me(token)).status, { timeout: 10_000 }).toBe(401);
  });

  it('ends the sessions of a person whose account is erased', async () => {
    const ola = await signIn('ola');
    const socket = await live(ola, '/people');
    const admin = await signIn('admin');
    // Kari Nordmann's personal data erased: her son's relative account goes with it.
    expect((await svc.api('DELETE', '/api/residents/res-kari/personal-data', admin)).status).toBe(200);
    expect(await within(socket.closed)).toBe('io server disconnect');
    await expect.poll(async () => (await me(ola)).status, { timeout: 10_000 }).toBe(401);
    expect((await me(ola)).body.message).toMatch(/no longer exists/);
  });
});

describe('token expiry', () => {
  it('closes a live socket when its token runs out', async () => {
    const { rows } = await svc.trygg.pool.query<{ session_epoch: number }>(
      `SELECT session_epoch FROM users WHERE id = 'user-admin'`,
    );
    const { token } = await svc.trygg.tokens.issue(
      { userId: 'user-admin', name: 'Ada Admin', roles: ['admin'], locale: 'nb' },
      2,
      rows[0]?.session_epoch,
    );
    const socket = await live(token);
    expect(await within(socket.closed)).toBe('io server disconnect');
    expect(await me(token)).toMatchObject({ status: 401, body: { message: 'token expired' } });
  });
});

describe('a push notification’s action token', () => {
  it('stops working when its person loses the role it was sent for', async () => {
    const alarm = await svc.raiseAlarm('rom-101-cord', 'alarm.pull-cord');
    const action = await svc.trygg.tokens.issueAction(
      { userId: 'user-staff1', name: 'Nina Natt (1. etasje)', roles: ['staff'], locale: 'nb' },
      { alarmId: alarm.id, notificationId: randomUUID(), actions: ['accept', 'decline'] },
      600,
    );
    const before = await svc.api<{ code?: string }>('POST', '/api/push/actions', action, { action: 'decline' });
    expect(before.status).not.toBe(401);
    await svc.trygg.pool.query(`UPDATE users SET roles = '{}' WHERE username = 'staff1'`);
    await expect
      .poll(async () => (await svc.api('POST', '/api/push/actions', action, { action: 'accept' })).status, { timeout: 10_000 })
      .toBe(401);
  });
});
