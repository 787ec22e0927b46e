import { describe, expect, it } from 'vitest';
import { Abandoned, CredentialQueue, QueueFull } from './credential-queue.js';

const opts = { concurrency: 2, perAddress: 1, maxWaiting: 100, maxWaitingPerAddress: 50, maxPerId: 2 };

/** A check that finishes when the test says so. */
function gated(log: string[], name: string) {
  let finish: (ok: boolean) => void = () => undefined;
  const work = () => {
    log.push(name);
    return new Promise<boolean>((resolve) => (finish = resolve));
  };
  return { work, finish: (ok = false) => finish(ok) };
}
const tick = () => new Promise((r) => setImmediate(r));

describe('CredentialQueue', () => {
  it('runs checks a few at a time overall and one at a time per address, the addresses taking turns', async () => {
    const q = new CredentialQueue(opts);
    const log: string[] = [];
    const flood = Array.from({ length: 5 }, (_, i) => gated(log, `attacker-${i}`));
    const runs = flood.map((g, i) => q.run('10.0.0.66', `ghost-${i}`, g.work));
    const honest = gated(log, 'honest');
    const honestRun = q.run('10.0.0.7', 'dev-7', honest.work);
    await tick();
    // One of the attacker's, and the honest device beside it, not behind the other four.
    expect(log).toEqual(['attacker-0', 'honest']);
    expect(q.depth).toEqual({ waiting: 4, running: 2 });
    honest.finish(true);
    await expect(honestRun).resolves.toBe(true);
    await tick();
    expect(log).toEqual(['attacker-0', 'honest']); // the attacker's address still runs one at a time
    flood[0]?.finish();
    await tick();
    expect(log.at(-1)).toBe('attacker-1');
    for (const g of flood.slice(1)) {
      g.finish();
      await tick();
    }
    await Promise.all(runs);
    expect(q.depth).toEqual({ waiting: 0, running: 0 });
  });

  it('refuses at once beyond its bounds: per device id, per address, overall', async () => {
    const q = new CredentialQueue({ ...opts, maxWaiting: 3, maxWaitingPerAddress: 2 });
    const never = () => new Promise<boolean>(() => undefined);
    void q.run('a', 'dev', never);
    void q.run('a', 'dev', never);
    await expect(q.run('a', 'dev', never)).rejects.toEqual(new QueueFull('id'));
    void q.run('a', 'other-1', never);
    await expect(q.run('a', 'other-2', never)).rejects.toEqual(new QueueFull('address'));
    void q.run('b', 'x', never); // runs (the second slot)
    void q.run('c', 'y', never); // the third waiting
    await expect(q.run('d', 'z', never)).rejects.toEqual(new QueueFull('overall'));
    expect(q.depth).toEqual({ waiting: 3, running: 2 });
  });

  it('drops a check whose connection closed while it waited', async () => {
    const q = new CredentialQueue({ ...opts, concurrency: 1 });
    const log: string[] = [];
    const first = gated(log, 'first');
    void q.run('a', 'd1', first.work);
    let closed = false;
    const gone = q.run(
      'b',
      'd2',
      () => Promise.resolve(log.push('gone')),
      () => closed,
    );
    closed = true;
    first.finish();
    await expect(gone).rejects.toBeInstanceOf(Abandoned);
    expect(log).toEqual(['first']);
  });
});
