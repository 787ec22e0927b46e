/**
 * Nobody can lock the response centre out. A stranger who types `operator` with wrong passwords
 * locks that account only for their own address; the operator signs in from theirs as usual.
 * Parallel guesses from one address get no more password comparisons than the lock allows (each
 * attempt is counted before its password is compared). The lock ends, and a right password
 * then starts the count over.
 *
 * The stranger connects from 127.0.0.2, the response centre from 127.0.0.1 (Linux routes all of
 * 127/8 to loopback, so they are different addresses to the server).
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from './support/service.js';

const MAX = 3;
const STRANGER = '127.0.0.2';
let svc: TestService;

beforeAll(async () => {
  svc = await startTestService({ config: { loginMaxFailures: MAX } });
});
afterAll(async () => {
  await svc?.stop();
});

const password = (username: string) => svc.demo.users.find((u) => u.username === username)?.password ?? '';

/** POST /api/auth/login from a chosen local address. */
function login(username: string, pass: string, from = '127.0.0.1'): Promise<{ status: number; code?: string }> {
  const body = JSON.stringify({ username, password: pass });
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${svc.httpUrl}/api/auth/login`,
      {
        method: 'POST',
        localAddress: from,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let data = '';
        res.on('data', (d: Buffer) => (data += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, code: (JSON.parse(data) as { code?: string }).code }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Log lines of failed sign-ins of one user from one address. */
const failures = (username: string, ip: string) =>
  svc.logs.filter((l) => l.msg === 'login failed' && l.username === username && l.ip === ip);

describe('the lock', () => {
  it('shuts out the stranger who guesses, not the operator at the response centre', async () => {
    for (let i = 0; i < MAX + 2; i++)
      expect((await login('operator', `guess-${i}`, STRANGER)).code).toBe('TRYGG_ERR_LOGIN_FAILED');
    // Locked for the stranger, even with the right password…
    expect(await login('operator', password('operator'), STRANGER)).toMatchObject({
      status: 401,
      code: 'TRYGG_ERR_LOGIN_FAILED',
    });
    expect(failures('operator', STRANGER).at(-1)).toMatchObject({ code: 'TRYGG_ERR_ACCOUNT_LOCKED', passwordChecked: false });
    // …never for the operator at their own desk.
    expect((await login('operator', password('operator'))).status).toBe(200);
    // Not even after a typo of their own in between.
    expect((await login('operator', 'typo')).status).toBe(401);
    expect((await login('operator', password('operator'))).status).toBe(200);
  });

  it('gives parallel guesses no more password comparisons than the lock allows', async () => {
    const answers = await Promise.all(Array.from({ length: 4 * MAX }, (_, i) => login('operator2', `parallel-${i}`, STRANGER)));
    expect(answers.every((a) => a.status === 401 && a.code === 'TRYGG_ERR_LOGIN_FAILED')).toBe(true);
    const logged = failures('operator2', STRANGER);
    expect(logged).toHaveLength(4 * MAX);
    expect(logged.filter((l) => l.passwordChecked === true)).toHaveLength(MAX);
    // And the right password is refused from there now.
    expect((await login('operator2', password('operator2'), STRANGER)).status).toBe(401);
  });

  it('ends, and then a right password signs in and starts the count over', async () => {
    await svc.trygg.pool.query(
      `UPDATE login_failures SET locked_until = now() - interval '1 second' WHERE user_id = 'user-operator2' AND address = $1`,
      [STRANGER],
    );
    expect((await login('operator2', password('operator2'), STRANGER)).status).toBe(200);
    const { rows } = await svc.trygg.pool.query('SELECT 1 FROM login_failures WHERE user_id = $1 AND address = $2', [
      'user-operator2',
      STRANGER,
    ]);
    expect(rows).toEqual([]);
  });
});
