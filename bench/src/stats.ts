/** Percentiles, spread across rounds, noise classification and the machine a benchmark ran on. */
import os from 'node:os';

export interface Summary {
  n: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

/** Nearest-rank percentiles (no interpolation: every figure is a sample that was measured). */
export function summarise(samples: readonly number[]): Summary {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? NaN;
  return { n: s.length, p50: at(0.5), p99: at(0.99), p999: at(0.999), max: s.at(-1) ?? NaN };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? NaN) : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2;
}

/** max/min of repeated rounds of one figure; 1 means every round agreed. */
export function spread(xs: readonly number[]): number {
  return Math.max(...xs) / Math.min(...xs);
}

/**
 * What a figure's rounds measure decides how far they may honestly differ on a quiet machine:
 * a rate (many events averaged) within 1.3×; a tail latency (a round's p99 rests on its top 1 %,
 * a few dozen samples) or a one-shot duration within 1.5×. Counts (rows lost, requests answered)
 * are checked against their goal, not for noise.
 */
export type FigureKind = 'rate' | 'latency' | 'duration' | 'count';
export const NOISE_THRESHOLD: Readonly<Record<FigureKind, number>> = { rate: 1.3, latency: 1.5, duration: 1.5, count: 1.3 };

export interface Noise {
  /** Largest spread among the figure's series (Trygg's rounds, the peer's rounds). */
  spread: number;
  threshold: number;
  noisy: boolean;
  /** Why it is noisy when the spread alone does not say (e.g. the bare timer peer ran late). */
  reason?: string;
}

/**
 * The noise of a figure measured in rounds: every series with at least two positive, finite
 * rounds contributes its spread; none such (measured once) gives undefined — not "quiet".
 */
export function noise(series: readonly (readonly number[] | undefined)[], threshold: number): Noise | undefined {
  const spreads = series
    .filter((s): s is readonly number[] => !!s && s.length >= 2 && s.every((x) => Number.isFinite(x) && x > 0))
    .map(spread);
  if (spreads.length === 0) return undefined;
  const worst = Math.max(...spreads);
  return { spread: worst, threshold, noisy: worst > threshold };
}

export function machine(): Record<string, string | number> {
  const cpu = os.cpus()[0];
  return {
    cpus: os.cpus().length,
    cpuModel: cpu?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    load1: Number(os.loadavg()[0]?.toFixed(2)),
  };
}

export const fmt = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : '–');

/** Three significant-ish digits whatever the magnitude: 0.037, 5.21, 42.7, 187, 33952. */
export function sig(x: number): string {
  if (!Number.isFinite(x)) return '–';
  const a = Math.abs(x);
  return x.toFixed(a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3);
}
