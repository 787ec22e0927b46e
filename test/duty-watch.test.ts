/**
 * Responders on duty (issue 20, item 3). With nobody at the console the leader (an
 * administrator's live socket) hears that the response centre has nobody signed in; one operator
 * is still below the minimum of two; the second clears it. A floor whose only staff member now
 * has a shift elsewhere in time has nobody on shift: raised, and cleared when the shift is gone.
 */
import type { DutyState } from '@trygg/alarm-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from './support/service.js';

let svc: TestService;
const heard: DutyState[] = [];
const sockets: { close(): void }[] = [];

beforeAll(async () => {
  svc = await startTestService({ config: { dutyCheckS: 1, dutyGraceS: 0 } });
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await svc?.stop();
});

const rc = () => heard.at(-1)?.gaps.find((g) => g.kind === 'response-centre') ?? null;

describe('responders on duty', () => {
  it('alerts the leader while fewer than two operators are signed in, and clears', { timeout: 90_000 }, async () => {
    expect(svc.trygg.config.dutyMinOperators).toBe(2); // the default
    const admin = await svc.operatorSocket((await svc.login('admin')).token, (s) => s.on('duty:state', (d) => heard.push(d)));
    sockets.push(admin);
    await expect.poll(() => rc()?.onDuty, { timeout: 10_000 }).toBe(0);
    expect(rc()).toMatchObject({ kind: 'response-centre', minimum: 2, siteId: null, since: expect.any(String) });
    expect(svc.logs.some((l) => l.code === 'TRYGG_ERR_NOBODY_ON_DUTY')).toBe(true);

    // An operator's console is not told (the leader is).
    const operatorHeard: DutyState[] = [];
    const operator = await svc.operatorSocket((await svc.login('operator')).token, (s) =>
      s.on('duty:state', (d) => operatorHeard.push(d)),
    );
    sockets.push(operator);
    await expect.poll(() => rc()?.onDuty, { timeout: 10_000 }).toBe(1);

    const operator2 = await svc.operatorSocket((await svc.login('operator2')).token);
    sockets.push(operator2);
    await expect.poll(() => heard.length > 0 && rc() === null, { timeout: 10_000 }).toBe(true);
    expect(operatorHeard).toEqual([]);

    // One leaves: raised again.
    operator2.close();
    await expect.poll(() => rc()?.onDuty, { timeout: 10_000 }).toBe(1);
  });

  it('alerts the leader when a floor has nobody on shift, and clears when someone is', { timeout: 60_000 }, async () => {
    const { rows } = await svc.trygg.pool.query<{ site_id: string }>(
      `SELECT ss.site_id FROM staff_sites ss JOIN sites s ON s.id = ss.site_id WHERE ss.user_id = 'user-staff1' AND s.kind = 'floor'`,
    );
    const floor = rows[0]?.site_id;
    if (!floor) throw new Error('staff1 works on a floor in the demo');
    const floorGap = () => heard.at(-1)?.gaps.find((g) => g.kind === 'floor' && g.siteId === floor) ?? null;
    expect(floorGap()).toBeNull();
    // staff1 now plans shifts, and the one they have is tomorrow: nobody on the floor now.
    const shift = await svc.trygg.pool.query<{ id: string }>(
      `INSERT INTO staff_shifts (user_id, site_id, starts_at, ends_at)
       VALUES ('user-staff1', $1, now() + interval '1 day', now() + interval '1 day 8 hours') RETURNING id`,
      [floor],
    );
    await expect.poll(() => floorGap()?.onDuty, { timeout: 10_000 }).toBe(0);
    expect(floorGap()?.siteName).toMatch(/Solbakken/);

    await svc.trygg.pool.query(`UPDATE staff_shifts SET starts_at = now() - interval '1 hour' WHERE id = $1`, [
      shift.rows[0]?.id,
    ]);
    await expect.poll(() => floorGap(), { timeout: 10_000 }).toBeNull();
  });
});
