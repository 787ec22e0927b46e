/** Readiness's memory of event stores: which failures count, how many, and for how long. */
import { describe, expect, it } from 'vitest';
import { TryggError } from '@trygg/alarm-core';
import { FAILURES, FORGET_AFTER_MS, StoreHealth } from './store-health.js';

const fail = (err: unknown) => Promise.reject(err instanceof Error ? err : new Error(String(err)));
const settle = () => new Promise((r) => setImmediate(r));
const diskFull = Object.assign(new Error('could not extend file'), { code: '53100' });

describe('StoreHealth', () => {
  it(`fails after ${FAILURES} failures in a row, and the next success ends it`, async () => {
    const health = new StoreHealth();
    for (let i = 0; i < FAILURES; i++) {
      expect(health.failing).toBe(false);
      await health.watch(fail(diskFull)).catch(() => undefined);
    }
    expect(health.failing).toBe(true);
    await health.watch(Promise.resolve('stored'));
    await settle();
    expect(health.failing).toBe(false);
  });

  it('does not count a refusal of the data, or of the request', async () => {
    const health = new StoreHealth();
    const bad = [
      Object.assign(new Error('invalid input syntax'), { code: '22P02' }),
      Object.assign(new Error('violates foreign key'), { code: '23503' }),
      new TryggError('TRYGG_ERR_SCHEMA'),
    ];
    for (let i = 0; i < FAILURES; i++) for (const err of bad) await health.watch(fail(err)).catch(() => undefined);
    expect(health.failing).toBe(false);
  });

  it('forgets a failing state when no store was tried for a while', async () => {
    let now = 0;
    const health = new StoreHealth(() => now);
    for (let i = 0; i < FAILURES; i++) await health.watch(fail(new Error('Query read timeout'))).catch(() => undefined);
    expect(health.failing).toBe(true);
    now += FORGET_AFTER_MS;
    expect(health.failing).toBe(false);
  });
});
