/** Percentiles, spread and the machine a benchmark ran on. */
import os from 'node:os';

export interface Summary {
  n: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

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

/** max/min of repeated runs; above 1.3 the figure is too noisy to trust. */
export function spread(xs: readonly number[]): number {
  return Math.max(...xs) / Math.min(...xs);
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
