/**
 * Breaking the glass needs a reason that says something, and is not a way to browse the
 * registry: ten spaces (or ten characters padded out with them) are refused naming the field;
 * one operator may open at most TRYGG_BREAK_GLASS_MAX_RESIDENTS different residents within the
 * window, also when the requests come in parallel; renewing a grant for the same resident is not
 * another one, and the refusal is logged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from './support/service.js';

const MAX = 2;
const REASON = 'Datter ringer: mor svarer ikke, hjemmetjenesten trenger nøkkelboksen';
let svc: TestService;

beforeAll(async () => {
  svc = await startTestService({ config: { breakGlassMaxResidents: MAX } });
});
afterAll(async () => {
  await svc?.stop();
});

const breakGlass = async (username: string, residentId: string, reason = REASON) =>
  svc.api<{ code?: string; message?: string; reason?: string }>(
    'POST',
    `/api/residents/${residentId}/break-glass`,
    (await svc.login(username)).token,
    {
      reason,
    },
  );

describe('the reason', () => {
  it('must hold ten characters that are not spaces', async () => {
    for (const reason of [' '.repeat(10), ' '.repeat(40), 'a b c d e f g h i  ', '\t\n\t\n\t\n\t\n\t\n']) {
      const res = await breakGlass('operator', 'res-per', reason);
      expect(res, JSON.stringify(reason)).toMatchObject({ status: 400, body: { code: 'TRYGG_ERR_VALIDATION' } });
      expect(res.body.message).toMatch(/body\/reason/);
    }
    const ok = await breakGlass('operator', 'res-per', `   ${REASON}   `);
    expect(ok).toMatchObject({ status: 201, body: { reason: REASON } });
  });
});

describe('the cap', () => {
  it('stops one operator at the cap of different residents, and lets a grant be renewed', async () => {
    // res-per is already open from the test above.
    expect((await breakGlass('operator', 'res-astrid')).status).toBe(201);
    const third = await breakGlass('operator', 'res-kari');
    expect(third).toMatchObject({ status: 429, body: { code: 'TRYGG_ERR_BREAK_GLASS_LIMIT' } });
    expect(svc.logs.some((l) => l.code === 'TRYGG_ERR_BREAK_GLASS_LIMIT' && l.residentId === 'res-kari')).toBe(true);
    // The same residents again: renewals, not more people.
    expect((await breakGlass('operator', 'res-per')).status).toBe(201);
    expect((await breakGlass('operator', 'res-astrid')).status).toBe(201);
    const { rows } = await svc.trygg.pool.query(
      `SELECT 1 FROM access_grants WHERE user_id = 'user-operator' AND resident_id = 'res-kari'`,
    );
    expect(rows).toEqual([]);
  });

  it('holds for parallel requests', async () => {
    const residents = ['res-per', 'res-astrid', 'res-kari', 'res-rom-101', 'res-rom-102', 'res-rom-201'];
    const { token } = await svc.login('operator2');
    const answers = await Promise.all(
      residents.map((id) => svc.api('POST', `/api/residents/${id}/break-glass`, token, { reason: REASON })),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(MAX);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(residents.length - MAX);
    const { rows } = await svc.trygg.pool.query<{ n: number }>(
      `SELECT count(DISTINCT resident_id)::int AS n FROM access_grants WHERE user_id = 'user-operator2'`,
    );
    expect(rows[0]?.n).toBe(MAX);
  });
});
