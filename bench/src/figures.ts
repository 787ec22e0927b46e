/**
 * One shape for every benchmark figure, so the table and bench.json say the same thing: Trygg's
 * value, the peer's value from the same run, the ratio Trygg ÷ peer, the rounds it was measured
 * in and their spread, and the goal's verdict. Pure: no I/O, tested in figures.test.ts.
 */
import { NOISE_THRESHOLD, noise, sig, type FigureKind, type Noise, type Summary } from './stats.js';

/** A rate or count (number), a latency distribution (Summary), or a composite ("4 000 / 4 000"). */
export type Value = number | Summary | string;

export interface Figure {
  /** Which benchmark section measured it (`--only <section>`). */
  section: string;
  /** What is measured, with its unit: "push messages prepared / s". */
  name: string;
  kind: FigureKind;
  trygg: Value;
  /** The peer measured in the same run, on the same load. */
  peer?: { name: string; value: Value };
  /** Trygg ÷ peer; for latencies the ratio of the p99s. Above 1: Trygg is higher (slower for latencies). */
  ratio?: number;
  /** The statistic the ratio compares when not the value itself ("p99"). */
  ratioOf?: string;
  goal?: { text: string; met: boolean };
  /** The headline statistic (a rate, a round's p99) of each round, Trygg's and the peer's, interleaved in time. */
  rounds?: { trygg: number[]; peer?: number[] };
  noise?: Noise;
}

export function isSummary(v: Value | undefined): v is Summary {
  return typeof v === 'object' && v !== null && 'p99' in v;
}

/** The number a ratio or a round compares: a rate itself, a latency's p99. */
export function headline(v: Value): number {
  if (typeof v === 'number') return v;
  if (isSummary(v)) return v.p99;
  return NaN;
}

/**
 * Builds a figure: the ratio from the two values (p99 for latencies) and the noise from the
 * rounds, with the threshold of its kind. An explicit `noise.reason` (a check of the machine
 * itself failing) marks it noisy whatever the spread.
 */
export function figure(
  f: Omit<Figure, 'ratio' | 'ratioOf' | 'noise'> & { noisyBecause?: string | null; ratio?: number | null },
): Figure {
  const { noisyBecause, ratio: explicitRatio, ...rest } = f;
  const out: Figure = { ...rest };
  if (f.peer && explicitRatio !== null) {
    const r = explicitRatio ?? headline(f.trygg) / headline(f.peer.value);
    if (Number.isFinite(r)) {
      out.ratio = r;
      if (isSummary(f.trygg)) out.ratioOf = 'p99';
    }
  }
  const threshold = NOISE_THRESHOLD[f.kind];
  const n = f.rounds ? noise([f.rounds.trygg, f.rounds.peer], threshold) : undefined;
  if (noisyBecause) out.noise = { ...(n ?? { spread: NaN, threshold }), noisy: true, reason: noisyBecause };
  else if (n) out.noise = n;
  return out;
}

/** "2.50 / 42.0 / 55.1 / 187 (n 10000)": p50 / p99 / p99.9 / max and the sample count. */
export function formatValue(v: Value): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isInteger(v) || Math.abs(v) >= 1000 ? String(Math.round(v)) : sig(v);
  return `${sig(v.p50)} / ${sig(v.p99)} / ${sig(v.p999)} / ${sig(v.max)} (n ${v.n})`;
}

function roundsCell(f: Figure): string {
  const n = f.rounds?.trygg.length ?? 1;
  if (!f.noise) return `${n}×`;
  const s = Number.isFinite(f.noise.spread) ? ` spread ${f.noise.spread.toFixed(2)}` : '';
  return `${n}×${s}${f.noise.noisy ? ' NOISY' : ''}`;
}

export const HEADER = ['figure', 'Trygg', 'peer (same run)', 'Trygg/peer', 'rounds', 'goal'];

/** One row of cells per figure, in HEADER's order. */
export function cells(f: Figure): string[] {
  return [
    f.name,
    formatValue(f.trygg),
    f.peer ? `${f.peer.name} ${formatValue(f.peer.value)}` : '',
    f.ratio === undefined
      ? f.peer
        ? '–'
        : ''
      : `${f.ratio >= 100 ? Math.round(f.ratio) : sig(f.ratio)}${f.ratioOf ? ` (${f.ratioOf})` : ''}`,
    roundsCell(f),
    f.goal ? `${f.goal.met ? 'met' : 'MISSED'} (${f.goal.text})` : '',
  ];
}

/** The combined table as lines, columns padded to their widest cell. */
export function renderTable(figures: readonly Figure[]): string[] {
  const rows = [HEADER, ...figures.map(cells)];
  const widths = HEADER.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length)));
  return rows.map((r) =>
    r
      .map((c, i) => c + ' '.repeat(Math.max(0, (widths[i] ?? 0) - [...c].length)))
      .join(' │ ')
      .trimEnd(),
  );
}

/** The warning printed after the table, or null when every figure measured in rounds agreed. */
export function noiseWarning(figures: readonly Figure[]): string | null {
  const noisy = figures.filter((f) => f.noise?.noisy);
  if (noisy.length === 0) return null;
  const why = (f: Figure) =>
    f.noise?.reason ?? `spread ${f.noise?.spread.toFixed(2)} > ${f.noise?.threshold.toFixed(1)} across rounds`;
  return `${noisy.length} figure${noisy.length === 1 ? '' : 's'} too noisy to trust: ${noisy
    .map((f) => `${f.name} (${why(f)})`)
    .join('; ')}; rerun on a quiet machine`;
}
