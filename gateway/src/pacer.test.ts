import { describe, expect, it } from 'vitest';
import { Pacer } from './pacer.js';

const spin = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};
const turn = () => new Promise((r) => setImmediate(r));

describe('Pacer', () => {
  it('runs tasks in slices, never synchronously, finishing work before starting work', async () => {
    const p = new Pacer({ maxPerSlice: 64, turnMs: 1_000, onError: () => undefined });
    const ran: string[] = [];
    for (let i = 0; i < 3; i++) p.admit(() => ran.push(`start-${i}`));
    p.later(() => ran.push('finish'));
    expect(ran).toEqual([]);
    await turn();
    expect(ran).toEqual(['finish']); // the first slice is one task
    await turn();
    expect(ran).toEqual(['finish', 'start-0', 'start-1']); // then one more per turn while turns are short
    await turn();
    expect(ran).toEqual(['finish', 'start-0', 'start-1', 'start-2']);
    expect(p.pending).toBe(0);
  });

  it('halves its slice after a long turn of the loop, and survives a task that throws', async () => {
    const errors: unknown[] = [];
    const p = new Pacer({ maxPerSlice: 64, turnMs: 100, onError: (e) => errors.push(e) });
    const ran: number[] = [];
    p.later(() => {
      throw new Error('bug');
    });
    for (let i = 0; i < 40; i++) {
      p.later(() => {
        ran.push(i);
        // Work this task sets off (as a close does) runs after the slice, in the loop's turn.
        if (i === 14) process.nextTick(() => spin(150));
      });
    }
    const slices: number[] = [];
    for (let t = 0; t < 8; t++) {
      const before = ran.length;
      await turn();
      slices.push(ran.length - before);
    }
    expect(slices).toEqual([0, 2, 3, 4, 5, 6, 3, 4]);
    expect(errors).toEqual([new Error('bug')]);
  });
});
