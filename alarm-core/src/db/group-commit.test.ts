import { afterEach, describe, expect, it, vi } from 'vitest';
import { GroupCommit } from './group-commit.js';

/** A write the test finishes by hand, to see exactly which items travel together. */
function manualWrite() {
  const calls: { items: number[]; finish: (err?: Error) => void }[] = [];
  const write = (items: number[]) =>
    new Promise<string[]>((resolve, reject) => {
      calls.push({
        items,
        finish: (err) =>
          err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(items.map((i) => `ok ${i}`)),
      });
    });
  return { calls, write };
}
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('GroupCommit', () => {
  it('sends what arrives during a write in the next write, and resolves each caller with its own result', async () => {
    const { calls, write } = manualWrite();
    const gc = new GroupCommit(write);
    const first = gc.submit(1);
    await tick();
    const rest = [gc.submit(2), gc.submit(3), gc.submit(4)];
    await tick();
    expect(calls.map((c) => c.items)).toEqual([[1]]); // one in flight; the rest wait
    let settled = false;
    void Promise.all(rest).then(() => (settled = true));
    calls[0]?.finish();
    expect(await first).toBe('ok 1');
    await tick();
    expect(calls.map((c) => c.items)).toEqual([[1], [2, 3, 4]]);
    expect(settled).toBe(false); // nobody resolves before their own write committed
    calls[1]?.finish();
    expect(await Promise.all(rest)).toEqual(['ok 2', 'ok 3', 'ok 4']);
  });

  it('fails every item of a write the database refuses as a whole', async () => {
    const { calls, write } = manualWrite();
    const gc = new GroupCommit(write);
    const a = gc.submit(1);
    const b = gc.submit(2);
    await tick();
    calls[0]?.finish(new Error('connection terminated'));
    await expect(a).rejects.toThrow('connection terminated');
    await expect(b).rejects.toThrow('connection terminated');
  });

  it('retries items one by one when one item breaks a batch, so its neighbours are stored', async () => {
    const gc = new GroupCommit<number, string>(async (items) => {
      if (items.includes(13)) throw Object.assign(new Error('violates foreign key'), { code: '23503' });
      return items.map((i) => `ok ${i}`);
    });
    const results = await Promise.allSettled([gc.submit(12), gc.submit(13), gc.submit(14)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('caps a write at maxBatch', async () => {
    const { calls, write } = manualWrite();
    const gc = new GroupCommit(write, { maxBatch: 2 });
    const all = [1, 2, 3, 4, 5].map((i) => gc.submit(i));
    await tick();
    expect(calls.map((c) => c.items)).toEqual([[1, 2]]);
    calls[0]?.finish();
    await tick();
    calls[1]?.finish();
    await tick();
    calls[2]?.finish();
    await Promise.all(all);
    expect(calls.map((c) => c.items)).toEqual([[1, 2], [3, 4], [5]]);
  });

  describe('lingering (items nobody waits on)', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('holds the first item lingerMs for company, then writes them all in one', async () => {
      vi.useFakeTimers();
      const { calls, write } = manualWrite();
      const gc = new GroupCommit(write, { lingerMs: 50 });
      const first = [gc.submit(1), gc.submit(2)];
      await vi.advanceTimersByTimeAsync(49);
      expect(calls).toEqual([]);
      const third = gc.submit(3);
      await vi.advanceTimersByTimeAsync(1);
      expect(calls.map((c) => c.items)).toEqual([[1, 2, 3]]);
      // What arrives during the write lingers again rather than going out alone.
      const fourth = gc.submit(4);
      calls[0]?.finish();
      expect(await Promise.all([...first, third])).toEqual(['ok 1', 'ok 2', 'ok 3']);
      await vi.advanceTimersByTimeAsync(10);
      expect(calls).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(40);
      expect(calls.map((c) => c.items)).toEqual([[1, 2, 3], [4]]);
      calls[1]?.finish();
      expect(await fourth).toBe('ok 4');
    });

    it('writes a full batch without waiting', async () => {
      vi.useFakeTimers();
      const { calls, write } = manualWrite();
      const gc = new GroupCommit(write, { lingerMs: 50, maxBatch: 2 });
      void gc.submit(1);
      void gc.submit(2);
      void gc.submit(3);
      await vi.advanceTimersByTimeAsync(0);
      expect(calls.map((c) => c.items)).toEqual([[1, 2]]);
    });

    it('flush writes what lingers at once and resolves when it is committed', async () => {
      vi.useFakeTimers();
      const { calls, write } = manualWrite();
      const gc = new GroupCommit(write, { lingerMs: 60_000 });
      const item = gc.submit(1);
      let flushed = false;
      const flush = gc.flush().then(() => (flushed = true));
      await vi.advanceTimersByTimeAsync(0);
      expect(calls.map((c) => c.items)).toEqual([[1]]);
      expect(flushed).toBe(false);
      calls[0]?.finish();
      await flush;
      expect(await item).toBe('ok 1');
      await expect(gc.flush()).resolves.toBeUndefined(); // nothing waiting: at once
    });
  });
});
