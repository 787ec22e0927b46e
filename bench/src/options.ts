/**
 * The bench's options: each with its default size (the figures docs/benchmarks.md quotes) and its
 * `--quick` size (every section small, a smoke check of about two minutes). An option given on
 * the command line wins over both.
 */
import { parseArgs } from 'node:util';

interface Spec {
  default: number;
  quick: number;
  help: string;
}

export const OPTIONS = {
  rounds: { default: 3, quick: 3, help: 'rounds of every figure measured in rounds (Trygg and peer alternating)' },
  alarms: { default: 10_000, quick: 500, help: 'open alarms whose timers are measured' },
  rate: { default: 150, quick: 150, help: 'alarms opened per second' },
  step: { default: 80, quick: 5, help: "seconds to the first step's timeout" },
  inputs: { default: 1_500, quick: 200, help: 'inputs applied per round of the inputs-per-second figure' },
  'pgbench-seconds': { default: 5, quick: 1, help: 'seconds of each pgbench round' },
  journal: { default: 5_000, quick: 500, help: 'journal entries in the delivery backlog, per round' },
  'telemetry-samples': { default: 100_000, quick: 10_000, help: 'telemetry samples ingested per round' },
  'sip-units': { default: 2_000, quick: 200, help: 'registered SCAIP units' },
  'sip-rate': { default: 500, quick: 200, help: 'SCAIP requests per second' },
  'sip-seconds': { default: 10, quick: 2, help: 'seconds of each SCAIP round' },
  residents: { default: 10_000, quick: 1_000, help: 'residents in the directory' },
  devices: { default: 30_000, quick: 3_000, help: 'devices in the directory' },
  lookups: { default: 2_000, quick: 500, help: 'uncached directory look-ups timed (cached: ten times as many)' },
  sockets: { default: 1_000, quick: 200, help: 'operator sockets for the live fan-out' },
  updates: { default: 40, quick: 10, help: 'live updates per fan-out round' },
  pushes: { default: 5_000, quick: 1_000, help: 'push messages per round' },
  sms: { default: 5_000, quick: 1_000, help: 'SMS submitted per round (SMPP, to the local SMSC)' },
  'gw-devices': { default: 10_000, quick: 500, help: 'connected devices (memory, reconnect storm)' },
  'gw-alarms': { default: 1_000, quick: 90, help: 'alarms for the gateway latency figure, over all rounds' },
  'gw-flood-alarms': {
    default: 300,
    quick: 60,
    help: 'alarms per side (quiet, flood) for the CONNECT-flood figure, over all rounds',
  },
  'telemetry-rate': { default: 1_000, quick: 500, help: 'background telemetry messages per second' },
  'gw-seconds': { default: 5, quick: 1, help: 'seconds of each QoS 1 throughput round' },
  'selftest-probes': { default: 20, quick: 5, help: 'self-test rounds and device alarms per benchmark round' },
  'scale-rate': { default: 10, quick: 10, help: 'alarms per second in each fleet size’s measured window' },
  'scale-seconds': { default: 15, quick: 5, help: 'seconds of alarms per fleet size' },
  'scale-heartbeat': { default: 300, quick: 300, help: 'each simulated device’s heartbeat and telemetry period (s)' },
} satisfies Record<string, Spec>;

/** The scaling curve's fleet sizes (`--scale 1000,10000,50000`). */
export const SCALE = { default: [1_000, 10_000, 50_000], quick: [200, 1_000] };

export type SizeName = keyof typeof OPTIONS;
export type Sizes = Record<SizeName, number>;

/** Sections in the order they run; `--only` takes these names. */
export const SECTIONS = [
  'escalation',
  'journal',
  'telemetry',
  'scaip',
  'fanout',
  'push',
  'sms',
  'directory',
  'gateway',
  'scale',
  'selftest',
] as const;

export interface BenchArgs {
  sizes: Sizes;
  /** Fleet sizes of the scaling curve. */
  scale: number[];
  quick: boolean;
  /** Sections to run (all when `--only` is not given). */
  only: string[] | null;
  /** Folder for bench.json. */
  out: string | null;
  help: boolean;
}

/** Parses argv; throws with a message naming the option on a bad value or an unknown section. */
export function parseBenchArgs(argv: string[], sections: readonly string[] = SECTIONS): BenchArgs {
  const names = Object.keys(OPTIONS) as SizeName[];
  const { values } = parseArgs({
    args: argv,
    options: {
      ...Object.fromEntries(names.map((n) => [n, { type: 'string' as const }])),
      quick: { type: 'boolean', default: false },
      only: { type: 'string', multiple: true },
      scale: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const quick = values.quick === true;
  const sizes = {} as Sizes;
  for (const n of names) {
    const given = (values as Record<string, unknown>)[n];
    const v = typeof given === 'string' ? Number(given) : OPTIONS[n][quick ? 'quick' : 'default'];
    if (!Number.isFinite(v) || v <= 0) throw new Error(`--${n} must be a positive number (got ${String(given)})`);
    sizes[n] = v;
  }
  const scale = typeof values.scale === 'string' ? values.scale.split(',').map(Number) : SCALE[quick ? 'quick' : 'default'];
  if (scale.length === 0 || scale.some((n) => !Number.isInteger(n) || n < 1))
    throw new Error(`--scale takes fleet sizes, whole numbers separated by commas (got ${String(values.scale)})`);
  const only = Array.isArray(values.only) ? values.only.filter((x): x is string => typeof x === 'string') : null;
  const unknown = only?.filter((s) => !sections.includes(s)) ?? [];
  if (unknown.length) throw new Error(`--only: unknown section ${unknown.join(', ')} (one of ${sections.join(', ')})`);
  return { sizes, scale, quick, only, out: typeof values.out === 'string' ? values.out : null, help: values.help === true };
}

/** The options as docs/benchmarks.md's table and `--help` show them. */
export function optionsHelp(): string[] {
  return (Object.entries(OPTIONS) as [SizeName, Spec][]).map(
    ([n, s]) => `  --${n} N`.padEnd(26) + `${s.help} (default ${s.default}, --quick ${s.quick})`,
  );
}
