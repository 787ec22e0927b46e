/** The bench's pure parts: percentiles, spread and noise, figures and the table, options, /proc parsing. */
import { describe, expect, it } from 'vitest';
import { cells, figure, formatValue, noiseWarning, renderTable, type Figure } from './figures.js';
import { machineTicks, processTicks, share } from './machine.js';
import { OPTIONS, parseBenchArgs } from './options.js';
import { median, noise, spread, summarise } from './stats.js';
import { rowsOf, telemetrySamples } from './telemetry.js';

const oneTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('summarise', () => {
  it('gives nearest-rank percentiles of known samples, in any order', () => {
    const shuffled = oneTo(1000).sort((a, b) => ((a * 7919) % 1000) - ((b * 7919) % 1000));
    expect(summarise(shuffled)).toEqual({ n: 1000, p50: 500, p99: 990, p999: 999, max: 1000 });
  });
  it('takes the largest sample for p99.9 when there are fewer than 1 000', () => {
    expect(summarise(oneTo(200))).toEqual({ n: 200, p50: 100, p99: 198, p999: 200, max: 200 });
  });
  it('says NaN rather than inventing a figure for no samples', () => {
    const s = summarise([]);
    expect(s.n).toBe(0);
    expect(s.p99).toBeNaN();
  });
});

describe('median, spread and noise', () => {
  it('takes the middle round, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
  it('measures spread as max/min of the rounds', () => {
    expect(spread([100, 130, 110])).toBeCloseTo(1.3);
  });
  it('takes the worst series and marks it noisy above the threshold', () => {
    expect(
      noise(
        [
          [100, 110, 105],
          [50, 70, 60],
        ],
        1.3,
      ),
    ).toEqual({ spread: 1.4, threshold: 1.3, noisy: true });
    expect(noise([[100, 110, 105]], 1.3)).toMatchObject({ noisy: false });
  });
  it('does not call a figure measured once quiet: it has no noise verdict', () => {
    expect(noise([[100], undefined], 1.3)).toBeUndefined();
    expect(noise([[0, 5, 6]], 1.3)).toBeUndefined();
  });
});

describe('figure', () => {
  it('gives a rate its ratio Trygg/peer and judges its rounds at 1.3', () => {
    const f = figure({
      section: 'push',
      name: 'push / s',
      kind: 'rate',
      trygg: 3000,
      peer: { name: 'web-push', value: 1000 },
      rounds: { trygg: [3000, 2900, 3100], peer: [1000, 1400, 1200] },
    });
    expect(f.ratio).toBe(3);
    expect(f.ratioOf).toBeUndefined();
    expect(f.noise).toEqual({ spread: 1.4, threshold: 1.3, noisy: true });
  });
  it('compares latencies at p99 and allows their rounds 1.5', () => {
    const f = figure({
      section: 'fanout',
      name: 'fan-out (ms)',
      kind: 'latency',
      trygg: summarise(oneTo(100)),
      peer: { name: 'ws', value: summarise(oneTo(100).map((x) => x / 2)) },
      rounds: { trygg: [99, 90, 70], peer: [45, 40, 35] },
    });
    expect(f.ratio).toBe(2);
    expect(f.ratioOf).toBe('p99');
    expect(f.noise?.noisy).toBe(false);
    expect(f.noise?.spread).toBeCloseTo(99 / 70);
  });
  it('marks a figure noisy for a stated reason even when measured once', () => {
    const f = figure({
      section: 'escalation',
      name: 'timers',
      kind: 'latency',
      trygg: summarise([1, 2, 3]),
      noisyBecause: 'bare setTimeout late by 30 ms',
    });
    expect(f.noise).toMatchObject({ noisy: true, reason: 'bare setTimeout late by 30 ms' });
  });
  it('leaves out a ratio that cannot be computed, and the table says so', () => {
    const f = figure({ section: 'g', name: 'memory', kind: 'count', trygg: 33, peer: { name: 'Mosquitto', value: 0 } });
    expect(f.ratio).toBeUndefined();
    expect(cells(f)[3]).toBe('–');
  });
});

describe('the table', () => {
  const figures: Figure[] = [
    figure({
      section: 's',
      name: 'SCAIP (ms)',
      kind: 'latency',
      trygg: { n: 10000, p50: 2.5, p99: 42, p999: 55.12, max: 187 },
      peer: { name: 'bare', value: { n: 10000, p50: 1.4, p99: 1.8, p999: 3, max: 6.1 } },
      goal: { text: 'p99 ≤ 10', met: false },
      rounds: { trygg: [40, 42, 44], peer: [1.7, 1.8, 1.9] },
    }),
    figure({ section: 's', name: 'lost', kind: 'count', trygg: 0, goal: { text: '0', met: true } }),
  ];
  it('shows p50 / p99 / p99.9 / max with the sample count', () => {
    expect(formatValue({ n: 10000, p50: 2.5, p99: 42, p999: 55.12, max: 187 })).toBe('2.50 / 42.0 / 55.1 / 187 (n 10000)');
  });
  it('has a header, one row per figure, and the columns line up', () => {
    const lines = renderTable(figures);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^figure\s+│ Trygg\s+│ peer \(same run\)\s+│ Trygg\/peer\s+│ rounds\s+│ goal$/);
    const bars = (l: string) => [...l].flatMap((c, i) => (c === '│' ? [i] : []));
    expect(bars(lines[1] ?? '')).toEqual(bars(lines[0] ?? ''));
    expect(bars(lines[2] ?? '')).toEqual(bars(lines[0] ?? ''));
    expect(lines[1]).toContain('23.3 (p99)');
    expect(lines[1]).toContain('3× spread 1.12');
    expect(lines[1]).toContain('MISSED (p99 ≤ 10)');
    expect(lines[2]).toContain('met (0)');
    expect(lines[2]).toContain('1×');
  });
  it('warns about each noisy figure and says why', () => {
    expect(noiseWarning(figures)).toBeNull();
    const noisy = figure({ section: 's', name: 'push / s', kind: 'rate', trygg: 1, rounds: { trygg: [1, 2, 1.5] } });
    const w = noiseWarning([...figures, noisy]);
    expect(w).toBe('1 figure too noisy to trust: push / s (spread 2.00 > 1.3 across rounds); rerun on a quiet machine');
    expect(renderTable([noisy])[1]).toContain('3× spread 2.00 NOISY');
  });
});

describe('options', () => {
  it('has the default sizes, the quick ones with --quick, and a given value over both', () => {
    expect(parseBenchArgs([]).sizes.alarms).toBe(OPTIONS.alarms.default);
    const q = parseBenchArgs(['--quick', '--alarms', '42', '--only', 'push']);
    expect(q.quick).toBe(true);
    expect(q.sizes.alarms).toBe(42);
    expect(q.sizes['sip-units']).toBe(OPTIONS['sip-units'].quick);
    expect(q.only).toEqual(['push']);
  });
  it('refuses a bad size or an unknown section, naming it', () => {
    expect(() => parseBenchArgs(['--rounds', 'x'])).toThrow('--rounds must be a positive number');
    expect(() => parseBenchArgs(['--only', 'nope'])).toThrow('unknown section nope');
  });
});

describe('CPU accounting from /proc', () => {
  it('reads total, idle and steal ticks from /proc/stat', () => {
    expect(machineTicks('cpu  100 5 50 800 20 3 2 10 0 0\ncpu0 1 2 3\n')).toEqual({ total: 990, idle: 820, steal: 10 });
  });
  it("reads a process's own and reaped children's ticks, whatever its name contains", () => {
    const stat = '4242 (node (bench) x) S 4000 4242 4242 0 -1 4194304 100 0 0 0 700 300 20 10 20 0 11';
    expect(processTicks(stat)).toEqual({ ppid: 4000, ticks: 1030 });
  });
  it('splits busy time into ours and others as shares of the machine', () => {
    const a = { at: 0, total: 0, idle: 0, steal: 0, ours: 0 };
    const b = { at: 10_000, total: 20, idle: 8, steal: 2, ours: 6 };
    const s = share(a, b);
    expect(s.seconds).toBe(10);
    expect(s.busy).toBeCloseTo(0.5);
    expect(s.ours).toBeCloseTo(0.3);
    expect(s.other).toBeCloseTo(0.2);
    expect(s.steal).toBeCloseTo(0.1);
  });
});

describe('telemetry samples', () => {
  it('gives every sample battery and signal, every third device a temperature: rows counted per metric', () => {
    const items = telemetrySamples(30, 3, Date.parse('2026-01-01T00:00:00Z'));
    expect(items[0]).toEqual({
      deviceId: 'tdev-1',
      sample: { ts: '2026-01-01T00:00:00.000Z', battery: 100, rssi: -50, temperature: 18 },
    });
    expect(items[3]?.sample.ts).toBe('2026-01-01T00:01:00.000Z');
    expect(rowsOf(items)).toBe(10 * 3 + 20 * 2);
  });
});
