/** The health registry: every integration named, since and last success kept, a hung check bounded, readiness by fatal ones. */
import { INTEGRATIONS } from '@trygg/alarm-core';
import { describe, expect, it } from 'vitest';
import { HealthRegistry, isReady } from './registry.js';

describe('HealthRegistry', () => {
  it('names every integration; one nobody registered is not-configured', async () => {
    const r = new HealthRegistry();
    r.register({ name: 'database', fatal: true, check: () => ({ state: 'ok', detail: 'fine' }) });
    const list = await r.snapshot();
    expect(list.map((i) => i.name)).toEqual([...INTEGRATIONS]);
    expect(list.find((i) => i.name === 'database')).toMatchObject({ state: 'ok', fatal: true });
    expect(list.find((i) => i.name === 'journal')).toMatchObject({ state: 'not-configured', fatal: false, since: null });
  });

  it('keeps when a state began and the last ok, and is not ready only for a fatal one down', async () => {
    let t = 1_000_000;
    let state: 'ok' | 'down' = 'ok';
    const r = new HealthRegistry({ now: () => t });
    r.register({ name: 'mqtt', fatal: true, check: () => ({ state, detail: state }) });
    r.register({ name: 'push', check: () => ({ state: 'down', detail: 'away' }) });
    const first = await r.snapshot();
    expect(isReady(first)).toBe(true); // push is down, but not fatal
    t += 5_000;
    state = 'down';
    const down = await r.snapshot();
    const mqtt = down.find((i) => i.name === 'mqtt');
    expect(mqtt).toMatchObject({
      state: 'down',
      since: new Date(t).toISOString(),
      lastSuccessAt: new Date(t - 5_000).toISOString(),
    });
    expect(isReady(down)).toBe(false);
    t += 5_000;
    expect((await r.snapshot()).find((i) => i.name === 'mqtt')?.since).toBe(new Date(t - 5_000).toISOString());
  });

  it('counts a check that does not answer in time as down, and one that throws', async () => {
    const r = new HealthRegistry({ timeoutMs: 50 });
    r.register({ name: 'database', fatal: true, check: () => new Promise(() => undefined) });
    r.register({ name: 'redis', check: () => Promise.reject(new Error('boom')) });
    const list = await r.snapshot();
    expect(list.find((i) => i.name === 'database')).toMatchObject({ state: 'down', detail: 'no answer within 50 ms' });
    expect(list.find((i) => i.name === 'redis')).toMatchObject({ state: 'down', detail: 'check failed: boom' });
  });
});
