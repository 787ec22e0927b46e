import { describe, expect, it } from 'vitest';
import { AuthFailures, TokenBuckets } from './limits.js';

describe('TokenBuckets', () => {
  it('lets a burst through, then the average rate', () => {
    const b = new TokenBuckets({ perSecond: 2, burst: 3 });
    const t = 1_000_000;
    expect([1, 2, 3, 4].map(() => b.take('d', t))).toEqual([true, true, true, false]);
    expect(b.take('d', t + 499)).toBe(false);
    expect(b.take('d', t + 500)).toBe(true);
    expect(b.take('other', t)).toBe(true);
  });
});

describe('AuthFailures', () => {
  const opts = { maxPerId: 3, maxIdsPerAddress: 4, windowS: 60, blockS: 30 };
  const t = 1_000_000;

  it('counts an attempt when its check starts, so parallel attempts cannot pass the limit', () => {
    const f = new AuthFailures(opts);
    expect([1, 2, 3, 4].map(() => f.start('a', 'dev', t))).toEqual([true, true, true, false]);
    expect(f.blocked('a', 'dev', t)).toBe('id');
    // From another address too: it is the id being guessed.
    expect(f.blocked('b', 'dev', t)).toBe('id');
    expect(f.blocked('a', 'neighbour', t)).toBe(null);
  });

  it('forgives an attempt that succeeds', () => {
    const f = new AuthFailures(opts);
    for (let i = 0; i < 10; i++) {
      expect(f.start('a', 'dev', t + i)).toBe(true);
      f.succeeded('a', 'dev');
    }
    expect(f.blocked('a', 'dev', t + 10)).toBe(null);
  });

  it('blocks a device id after its failures, for a while, and not its address', () => {
    const f = new AuthFailures(opts);
    for (let i = 0; i < 2; i++) {
      f.start('a', 'dev', t);
      expect(f.failed('a', 'dev', t)).toEqual({ id: false, address: false });
    }
    f.start('a', 'dev', t);
    expect(f.failed('a', 'dev', t)).toEqual({ id: true, address: false });
    expect(f.blocked('a', 'dev', t + 29_999)).toBe('id');
    expect(f.blocked('a', 'neighbour', t + 1)).toBe(null);
    expect(f.blocked('a', 'dev', t + 30_001)).toBe(null);
  });

  it('blocks an address only when many different ids fail from it', () => {
    const f = new AuthFailures(opts);
    for (const id of ['d1', 'd2', 'd3']) {
      f.start('a', id, t);
      expect(f.failed('a', id, t)).toEqual({ id: false, address: false });
    }
    // A fourth id running counts already: a fifth may not start.
    expect(f.start('a', 'd4', t)).toBe(true);
    expect(f.blocked('a', 'd5', t)).toBe('address');
    expect(f.blocked('a', 'd1', t)).toBe(null); // an id already counted adds nothing
    expect(f.failed('a', 'd4', t)).toEqual({ id: false, address: true });
    expect(f.blocked('a', 'd1', t + 1)).toBe('address');
    expect(f.blocked('b', 'd5', t + 1)).toBe(null);
    expect(f.blocked('a', 'd5', t + 30_001)).toBe(null);
  });

  it('forgets failures older than the window, and prunes what is stale', () => {
    const f = new AuthFailures({ ...opts, windowS: 10 });
    for (let i = 0; i < 2; i++) {
      f.start('a', 'dev', t);
      f.failed('a', 'dev', t);
    }
    expect(f.start('a', 'dev', t + 10_001)).toBe(true);
    expect(f.failed('a', 'dev', t + 10_001)).toEqual({ id: false, address: false });
    f.prune(t + 30_000);
    expect(f.blocked('a', 'dev', t + 30_000)).toBe(null);
  });
});
