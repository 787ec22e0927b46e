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
  it('blocks an address after too many failures in the window, and unblocks later', () => {
    const f = new AuthFailures({ maxFailures: 3, windowS: 60, blockS: 30 });
    const t = 1_000_000;
    expect(f.fail('a', t)).toBe(false);
    expect(f.fail('a', t + 1)).toBe(false);
    expect(f.blocked('a', t + 2)).toBe(false);
    expect(f.fail('a', t + 2)).toBe(true);
    expect(f.blocked('a', t + 3)).toBe(true);
    expect(f.blocked('b', t + 3)).toBe(false);
    expect(f.blocked('a', t + 30_003)).toBe(false);
  });

  it('forgets failures older than the window', () => {
    const f = new AuthFailures({ maxFailures: 2, windowS: 10, blockS: 30 });
    expect(f.fail('a', 0)).toBe(false);
    expect(f.fail('a', 10_001)).toBe(false);
    expect(f.blocked('a', 10_002)).toBe(false);
  });
});
