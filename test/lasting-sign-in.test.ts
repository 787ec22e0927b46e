/**
 * Lasting sign-in (server/src/auth/lasting.ts) through the real API and database: a relative's
 * sign-in brings a refresh token, each renewal uses it up and hands out the next, a used one
 * presented again signs the device out (OAuth 2.0 Security BCP), and the device ends when the
 * person signs out, revokes it from their list, an administrator revokes it, consent is
 * withdrawn, or it runs out. The response centre's accounts get no lasting sign-in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoginResponse } from '@trygg/alarm-core';
import { startTestService, type TestService } from './support/service.js';

let svc: TestService;

beforeAll(async () => {
  svc = await startTestService({ config: { sessionCheckS: 1 } });
});
afterAll(async () => {
  await svc?.stop();
});

/** A fresh sign-in (not the support's shared one): each is its own device. */
const signIn = async (username: string) => {
  const password = svc.demo.users.find((u) => u.username === username)?.password;
  const res = await svc.api<LoginResponse>('POST', '/api/auth/login', null, { username, password });
  expect(res.status).toBe(200);
  return res.body;
};
const renew = (refreshToken: string | undefined) =>
  svc.api<LoginResponse & { code?: string }>('POST', '/api/auth/refresh', null, { refreshToken });
const me = async (token: string) => (await svc.api('GET', '/api/me', token)).status;
/** The access session is refused, within the session check's cache (polled, not timed). */
const refused = async (token: string) => {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100)))
    if ((await me(token)) === 401) return true;
  return false;
};

describe('lasting sign-in', () => {
  it('is given to a relative, not to the response centre', async () => {
    const ola = await signIn('ola');
    expect(ola.refreshToken).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(Date.parse(ola.refreshExpiresAt ?? '') - Date.now()).toBeGreaterThan(89 * 24 * 3600_000);
    // The access session is short: the app renews it.
    expect(Date.parse(ola.expiresAt) - Date.now()).toBeLessThanOrEqual(900_000);
    const operator = await signIn('operator');
    expect(operator.refreshToken).toBeUndefined();
    const staff = await signIn('staff1');
    expect(Date.parse(staff.refreshExpiresAt ?? '') - Date.now()).toBeGreaterThan(29 * 24 * 3600_000);
  });

  it('rotates: each renewal hands out the next token and a working session', async () => {
    const first = await signIn('ola');
    const second = await renew(first.refreshToken);
    expect(second.status).toBe(200);
    expect(second.body.refreshToken).not.toBe(first.refreshToken);
    expect(second.body.token).not.toBe(first.token);
    expect(await me(second.body.token)).toBe(200);
    const third = await renew(second.body.refreshToken);
    expect(third.status).toBe(200);
    const stored = await svc.trygg.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM refresh_tokens t JOIN signin_devices d ON d.id = t.device_id
        WHERE t.token_hash = encode(sha256(convert_to($1, 'UTF8')), 'hex')`,
      [third.body.refreshToken],
    );
    expect(stored.rows[0]?.n).toBe(1); // kept only as its hash
  });

  it('revokes the whole device when a used token comes back', async () => {
    const first = await signIn('ola');
    const second = await renew(first.refreshToken);
    expect(second.status).toBe(200);
    // The copy an attacker kept is presented again.
    const replay = await renew(first.refreshToken);
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('TRYGG_ERR_REFRESH_REUSED');
    // Neither the thief nor the phone goes on: the newest token and its session are dead too.
    expect((await renew(second.body.refreshToken)).status).toBe(401);
    expect(await refused(second.body.token)).toBe(true);
    expect(svc.logs.some((l) => l.code === 'TRYGG_ERR_REFRESH_REUSED')).toBe(true);
  });

  it('refuses an unknown or malformed token', async () => {
    expect((await renew('A'.repeat(43))).status).toBe(401);
    expect((await renew('not a token!')).status).toBe(400);
    expect((await renew(undefined)).status).toBe(400);
  });

  it('ends with signing out this device, and only this device', async () => {
    const phone = await signIn('ola');
    const tablet = await signIn('ola');
    expect((await svc.api('POST', '/api/auth/logout', phone.token)).status).toBe(200);
    expect((await renew(phone.refreshToken)).status).toBe(401);
    expect((await renew(tablet.refreshToken)).status).toBe(200);
  });

  it('lists the person’s devices and signs one out from the list', async () => {
    const phone = await signIn('staff2');
    const lost = await signIn('staff2');
    const list = await svc.api<{ devices: { id: string; current: boolean; label: string }[] }>(
      'GET',
      '/api/me/devices',
      phone.token,
    );
    expect(list.status).toBe(200);
    expect(list.body.devices).toHaveLength(2);
    expect(list.body.devices.filter((d) => d.current)).toHaveLength(1);
    const other = list.body.devices.find((d) => !d.current);
    expect((await svc.api('DELETE', `/api/me/devices/${other?.id}`, phone.token)).status).toBe(200);
    expect((await renew(lost.refreshToken)).status).toBe(401);
    expect(await refused(lost.token)).toBe(true);
    expect((await renew(phone.refreshToken)).status).toBe(200);
    // Another person's device is not found (not revoked).
    const ola = await signIn('ola');
    const olas = await svc.api<{ devices: { id: string }[] }>('GET', '/api/me/devices', ola.token);
    expect((await svc.api('DELETE', `/api/me/devices/${olas.body.devices[0]?.id}`, phone.token)).status).toBe(404);
    expect((await renew(ola.refreshToken)).status).toBe(200);
  });

  it('is revoked by an administrator', async () => {
    const staff = await signIn('staff1');
    const { token: admin } = await svc.login('admin');
    const list = await svc.api<{ devices: unknown[] }>('GET', '/api/users/user-staff1/devices', admin);
    expect(list.body.devices.length).toBeGreaterThan(0);
    expect((await svc.api('DELETE', '/api/users/user-staff1/devices', staff.token)).status).toBe(403);
    const res = await svc.api<{ revoked: number }>('DELETE', '/api/users/user-staff1/devices', admin);
    expect(res.status).toBe(200);
    expect(res.body.revoked).toBeGreaterThan(0);
    expect((await renew(staff.refreshToken)).status).toBe(401);
    expect(await refused(staff.token)).toBe(true);
  });

  it('runs out when unused for its lifetime', async () => {
    const ola = await signIn('ola');
    await svc.trygg.pool.query(
      `UPDATE signin_devices SET expires_at = now() - interval '1 second'
        WHERE id = (SELECT device_id FROM refresh_tokens WHERE token_hash = encode(sha256(convert_to($1, 'UTF8')), 'hex'))`,
      [ola.refreshToken],
    );
    expect((await renew(ola.refreshToken)).status).toBe(401);
  });

  it('ends when the relative’s consent is withdrawn', async () => {
    const ola = await signIn('ola');
    await svc.trygg.pool.query(`UPDATE relatives SET consent_at = NULL WHERE user_id = 'user-ola'`);
    expect((await renew(ola.refreshToken)).status).toBe(401);
    expect(await refused(ola.token)).toBe(true);
    await svc.trygg.pool.query(`UPDATE relatives SET consent_at = now() WHERE user_id = 'user-ola'`);
  });
});
