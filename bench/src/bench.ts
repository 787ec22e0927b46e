/**
 * `npm run bench`: runs every benchmark section against fresh databases on the machine's
 * PostgreSQL (TRYGG_BENCH_PG, default postgres://postgres@127.0.0.1:5432/postgres), each figure
 * beside its peer's from the same run, in rounds alternating Trygg and the peer; prints one table
 * (p50 / p99 / p99.9 / max for latencies, Trygg/peer ratios, spread across rounds, goals), warns
 * about figures too noisy to trust and about other work loading the machine, and writes
 * bench-results/bench.json and what it printed to bench/results/<date>-<sections>.md (beside
 * bench.json for `--quick` or `--out`). `--help` lists the options; `--quick` runs every section small;
 * `--only <section>` (repeatable) runs some.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createPool, migrate, type Pool } from '@trygg/alarm-core';
import { benchDirectory, directoryFigures } from './directory.js';
import { benchEscalation, escalationFigures } from './escalation.js';
import { benchFanout, fanoutFigures } from './fanout.js';
import { noiseWarning, renderTable, type Figure } from './figures.js';
import { benchGateway, gatewayFigures } from './gateway.js';
import { benchJournal, handledAlarm, journalFigures } from './journal.js';
import { BUSY_OTHER, BUSY_STEAL, CpuSampler, describeMachine, share, type CpuShare } from './machine.js';
import { optionsHelp, parseBenchArgs, SECTIONS, type Sizes } from './options.js';
import { resultName, writeResult } from './results.js';
import { benchPush, pushFigures } from './push.js';
import { benchScale, scaleFigures } from './scale.js';
import { benchSms, smsFigures } from './sms.js';
import { benchScaip, scaipFigures } from './scaip.js';
import { benchSelfTest, selfTestFigures } from './selftest.js';
import { benchTelemetry, telemetryFigures } from './telemetry.js';

const printed: string[] = [];
const log = (l: string) => {
  printed.push(l);
  process.stdout.write(`${l}\n`);
};
let args: ReturnType<typeof parseBenchArgs>;
try {
  args = parseBenchArgs(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(2);
}
if (args.help) {
  log('npm run bench -- [--quick] [--only <section>]… [--out <folder>] [options]');
  log(`sections: ${SECTIONS.join(', ')}`);
  for (const l of optionsHelp()) log(l);
  process.exit(0);
}
const { sizes, only } = args;
const admin = process.env.TRYGG_BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** Every database of this run starts with it: the CPU sampler counts their backends as ours. */
const name = `trygg_bench_${randomBytes(4).toString('hex')}`;

async function createDb(dbName: string): Promise<string> {
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`CREATE DATABASE ${dbName}`);
  await c.end();
  const url = new URL(admin);
  url.pathname = `/${dbName}`;
  await migrate(url.toString());
  return url.toString();
}
async function dropDb(dbName: string): Promise<void> {
  const d = new pg.Client({ connectionString: admin });
  await d.connect();
  await d.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await d.end();
}

async function checkpoint(): Promise<void> {
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query('CHECKPOINT');
  await c.end();
}

/** A fresh database of this run for one section, dropped afterwards. */
async function withOwnDatabase<T>(suffix: string, fn: (url: string) => Promise<T>): Promise<T> {
  const dbName = `${name}_${suffix}`;
  try {
    return await fn(await createDb(dbName));
  } finally {
    await dropDb(dbName);
  }
}

interface Context {
  sizes: Sizes;
  pool: Pool;
  databaseUrl: string;
}

/** One section: runs, returns its raw result (kept in bench.json) and its figures. */
type Section = (ctx: Context) => Promise<{ result: unknown; figures: Figure[] }>;

const sections: Record<(typeof SECTIONS)[number], Section> = {
  escalation: async ({ sizes: s, pool, databaseUrl }) => {
    const result = await benchEscalation({
      pool,
      databaseUrl,
      openAlarms: s.alarms,
      rate: s.rate,
      stepS: s.step,
      inputs: s.inputs,
      pgbenchSeconds: s['pgbench-seconds'],
      rounds: s.rounds,
      log,
    });
    return { result, figures: escalationFigures(result) };
  },
  journal: async ({ sizes: s, pool }) => {
    const result = await benchJournal(pool, await handledAlarm(pool), s.journal, s.rounds, log);
    return { result, figures: journalFigures(result) };
  },
  telemetry: async ({ sizes: s, pool }) => {
    const result = await benchTelemetry({
      pool,
      samples: s['telemetry-samples'],
      devices: 1_000,
      window: 3_200,
      rounds: s.rounds,
      log,
    });
    return { result, figures: telemetryFigures(result) };
  },
  // Its own database, as a receiver would have it: not the escalation section's 10 000 open
  // alarms, whose re-alerts would be applied beside the SIP load and measured with it.
  scaip: async ({ sizes: s }) =>
    withOwnDatabase('sip', async (url) => {
      // The service's two pools for this path: the alarm path (sessions, inbox, engine) and ingress (units).
      // The pools as the service makes them: the alarm path's kept open, the directory's its own.
      const alarmPool = createPool(url, 8, 'bench-alarms', { keepIdle: true });
      const directoryPool = createPool(url, 3, 'bench-directory', { keepIdle: true });
      const ingressPool = createPool(url, 4);
      try {
        const result = await benchScaip({
          pool: alarmPool,
          directoryPool,
          ingressPool,
          units: s['sip-units'],
          rate: s['sip-rate'],
          seconds: s['sip-seconds'],
          rounds: s.rounds,
          log,
        });
        return { result, figures: scaipFigures(result) };
      } finally {
        await Promise.all([alarmPool.end(), directoryPool.end(), ingressPool.end()]);
      }
    }),
  fanout: async ({ sizes: s }) => {
    const result = await benchFanout({ clients: s.sockets, updates: s.updates, gapMs: 100, rounds: s.rounds, log });
    return { result, figures: fanoutFigures(result) };
  },
  push: async ({ sizes: s }) => {
    const result = await benchPush({ subscriptions: 1000, messages: s.pushes, rounds: s.rounds, log });
    return { result, figures: pushFigures(result) };
  },
  sms: async ({ sizes: s }) => {
    const result = await benchSms({ messages: s.sms, rounds: s.rounds, log });
    return { result, figures: smsFigures(result) };
  },
  // Its own database: the registry it seeds must not change what the other benchmarks see.
  directory: async ({ sizes: s }) =>
    withOwnDatabase('dir', async (dirUrl) => {
      const dirPool = createPool(dirUrl, 4);
      try {
        const result = await benchDirectory({
          pool: dirPool,
          databaseUrl: dirUrl,
          residents: s.residents,
          devices: s.devices,
          samples: s.lookups,
          rounds: s.rounds,
          log,
        });
        return { result, figures: directoryFigures(result) };
      } finally {
        await dirPool.end();
      }
    }),
  // The service in its own process on its own database.
  gateway: async ({ sizes: s }) => {
    const result = await benchGateway({
      adminUrl: admin,
      databaseName: `${name}_gw`,
      devices: s['gw-devices'],
      alarms: s['gw-alarms'],
      floodAlarms: s['gw-flood-alarms'],
      telemetryRate: s['telemetry-rate'],
      seconds: s['gw-seconds'],
      rounds: s.rounds,
      mosquittoUrl: process.env.TRYGG_BENCH_MOSQUITTO ?? 'mqtt://127.0.0.1:1883',
      log,
    });
    return { result, figures: gatewayFigures(result) };
  },
  // The same scenario at each fleet size, the service in its own process on its own database.
  scale: async ({ sizes: s }) => {
    const result = await benchScale({
      adminUrl: admin,
      databaseName: `${name}_scale`,
      sizes: args.scale,
      alarmRate: s['scale-rate'],
      seconds: s['scale-seconds'],
      heartbeatS: s['scale-heartbeat'],
      log,
    });
    return { result, figures: scaleFigures(result) };
  },
  // The service in this process on its own database: its self-test beside a device's alarm.
  selftest: async ({ sizes: s }) =>
    withOwnDatabase('selftest', async (url) => {
      const result = await benchSelfTest({ databaseUrl: url, rounds: s.rounds, perRound: s['selftest-probes'], log });
      return { result, figures: selfTestFigures(result) };
    }),
};

const pct = (x: number) => `${Math.round(x * 100)} %`;
const describeShare = (c: CpuShare) =>
  `CPU: benchmark ${pct(c.ours)}, other processes ${pct(c.other)}, steal ${pct(c.steal)} of ${os.cpus().length} cores over ${Math.round(c.seconds)} s`;
const busy = (c: CpuShare) => c.other > BUSY_OTHER || c.steal > BUSY_STEAL;

const started = Date.now();
const machine = await describeMachine(admin);
log(
  `Trygg benchmark${args.quick ? ' (--quick: small sizes, a smoke check, not figures to quote)' : ''} on ${JSON.stringify(machine)}`,
);
const sampler = new CpuSampler(admin, name);
const figures: Figure[] = [];
const results: Record<string, { result?: unknown; error?: string; seconds: number; cpu: CpuShare }> = {};
let failed = false;
let databaseUrl = '';
try {
  databaseUrl = await createDb(name);
  await sampler.start();
  const pool = createPool(databaseUrl, 20);
  try {
    for (const section of SECTIONS) {
      if (only && !only.includes(section)) continue;
      log(`${section}:`);
      // The sections before write gigabytes of WAL; without this, PostgreSQL's next checkpoint
      // (every max_wal_size of WAL) starts in whichever section follows, and its full-page
      // writes slow that section's commits. Each section starts with the WAL counted from zero.
      await checkpoint();
      const t0 = Date.now();
      const before = await sampler.now();
      let outcome: { result?: unknown; error?: string };
      try {
        const r = await sections[section]({ sizes, pool, databaseUrl });
        figures.push(...r.figures);
        outcome = { result: r.result };
      } catch (err) {
        failed = true;
        outcome = { error: (err as Error).stack ?? String(err) };
        log(`  FAILED: ${(err as Error).message}`);
      }
      const cpu = share(before, await sampler.now());
      results[section] = { ...outcome, seconds: (Date.now() - t0) / 1000, cpu };
      log(`  ${Math.round((Date.now() - t0) / 1000)} s; ${describeShare(cpu)}${busy(cpu) ? ' — BUSY' : ''}`);
    }
  } finally {
    await pool.end();
  }
} finally {
  await sampler.stop();
  if (databaseUrl) await dropDb(name);
}

const seconds = (Date.now() - started) / 1000;
const whole = Object.values(results).map((r) => r.cpu);
const cpu: CpuShare | null = whole.length
  ? {
      seconds: whole.reduce((s, c) => s + c.seconds, 0),
      busy: weighted(whole, 'busy'),
      ours: weighted(whole, 'ours'),
      other: weighted(whole, 'other'),
      steal: weighted(whole, 'steal'),
    }
  : null;
function weighted(cs: CpuShare[], k: keyof CpuShare): number {
  const t = cs.reduce((s, c) => s + c.seconds, 0) || 1;
  return cs.reduce((s, c) => s + c[k] * c.seconds, 0) / t;
}
const loadAfter = os
  .loadavg()
  .map((x) => x.toFixed(2))
  .join(' ');

log('');
for (const line of renderTable(figures)) log(line);
log('');
log(`Trygg/peer: above 1 Trygg is higher — faster for rates, slower for latencies (ratio of the p99s).`);
const noisy = noiseWarning(figures);
if (noisy) log(`WARNING: ${noisy.replaceAll('; ', '\n  ')}`);
const busySections = Object.entries(results).filter(([, r]) => busy(r.cpu));
if (busySections.length) {
  log(
    `WARNING: the machine was busy with other work during ${busySections
      .map(([s, r]) => `${s} (${pct(r.cpu.other)} other, ${pct(r.cpu.steal)} steal)`)
      .join(', ')}: those figures measure the neighbours too; rerun on a quiet machine`,
  );
}
if (cpu) log(`whole run: ${describeShare(cpu)}; load average before ${machine.loadBefore}, after ${loadAfter}`);
for (const [s, r] of Object.entries(results)) if (r.error) log(`FAILED section ${s}: see bench.json`);

const out = path.resolve(args.out ?? path.join(process.env.INIT_CWD ?? process.cwd(), 'bench-results'));
await mkdir(out, { recursive: true });
await writeFile(
  path.join(out, 'bench.json'),
  JSON.stringify(
    {
      machine: { ...machine, loadAfter },
      cpu,
      quick: args.quick,
      sizes,
      seconds,
      figures,
      warnings: [noisy, ...busySections.map(([s]) => `busy machine during ${s}`)].filter((w) => w !== null),
      sections: results,
    },
    null,
    2,
  ),
);
log(`written to ${path.join(out, 'bench.json')}; total ${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`);
const command = ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' ');
const dir = args.out !== null || args.quick ? out : undefined;
process.stdout.write(
  `figures written to ${await writeResult(resultName(only, args.quick), printed, { dir, when: new Date(started), command })}\n`,
);
process.exit(failed ? 1 : 0);
