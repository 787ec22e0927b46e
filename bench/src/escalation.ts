/**
 * Escalation engine benchmark: with 10 000 open alarms and their timers, how late timers fire
 * (goal p99 ≤ 50 ms), how many inputs the engine applies per second, and how long a restart
 * takes to recover every open alarm (goal ≤ 5 s). Peers measured in the same run: Node's bare
 * setTimeout on the same schedule (the floor for timer lateness) and pgbench running a
 * transaction of the same shape as one input (the floor for inputs per second).
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { AlarmEngine, Inbox, type DeviceEventType } from '@trygg/alarm-core';
import { SqlDirectory } from '@trygg/devices';
import type { Pool } from '@trygg/alarm-core';
import { figure, type Figure } from './figures.js';
import { fmt, median, summarise, type Summary } from './stats.js';

const run = promisify(execFile);

export interface EscalationBenchOptions {
  pool: Pool;
  databaseUrl: string;
  openAlarms: number;
  /** Alarms opened per second while building up the open set (timers then fall due at that rate). */
  rate: number;
  /** Seconds from opening to the first step's timeout. */
  stepS: number;
  /** Inputs applied per round of the inputs-per-second figure. */
  inputs: number;
  /** Seconds of each pgbench round. */
  pgbenchSeconds: number;
  rounds: number;
  log: (line: string) => void;
}

export interface EscalationBenchResult {
  timerLatenessMs: Summary;
  bareTimerLatenessMs: Summary;
  /** Alarms that could not be opened at the rate (the engine fell behind and its pool timed out). */
  notOpened: number;
  inputsPerSecond: number[];
  pgbenchTps: number[];
  /** Each restart's time to recover, in turn. */
  recoveryMs: number[];
  rearmedTimers: number;
}

// Errors only: under an overloaded machine the engine warns once per deferred apply (thousands of lines).
const quiet = pino({ level: 'error' });
const noop = { publish: () => undefined, send: () => undefined, notify: () => undefined };

/** Devices, residents and one relative each, made with SQL (no MQTT secrets needed here). */
async function seed(pool: Pool, devices: number, stepS: number): Promise<string[]> {
  await pool.query(
    `INSERT INTO sites (id, kind, name, address) SELECT 'bh-' || g, 'home', 'Bench home ' || g, 'Benchveien ' || g FROM generate_series(1, $1) g`,
    [devices],
  );
  await pool.query(
    `INSERT INTO residents (id, name, site_id) SELECT 'br-' || g, 'Bench resident ' || g, 'bh-' || g FROM generate_series(1, $1) g`,
    [devices],
  );
  await pool.query(
    `INSERT INTO relatives (id, resident_id, name, consent_at, consent_by) SELECT 'brl-' || g, 'br-' || g, 'Bench relative ' || g, now(), 'bench' FROM generate_series(1, $1) g`,
    [devices],
  );
  await pool.query(
    `INSERT INTO devices (id, kind, serial, protocol, status, resident_id) SELECT 'bd-' || g, 'alarm-button', 'BENCH-' || g, 'mqtt', 'active', 'br-' || g FROM generate_series(1, $1) g`,
    [devices],
  );
  const chain = {
    source: 'bench',
    steps: [
      { type: 'notify', to: ['relatives'], timeoutS: stepS },
      { type: 'notify', to: ['response-centre'], timeoutS: 3600 },
    ],
    realertS: 3600,
    followUpS: 3600,
  };
  await pool.query(`INSERT INTO escalation_policies (scope, scope_id, chain) VALUES ('alarm-type', 'alarm.button', $1)`, [chain]);
  return Array.from({ length: devices }, (_, i) => `bd-${i + 1}`);
}

/** An engine with no screens, phones or devices attached: the benchmarks measure the engine. */
export function benchEngine(pool: Pool, onTimerFired?: (ms: number) => void, directory = new SqlDirectory(pool)): AlarmEngine {
  return new AlarmEngine({
    pool,
    directory,
    live: noop,
    channels: { push: { kind: 'push', send: () => Promise.resolve({ ref: null, state: 'delivered' }) } },
    feedback: noop,
    logger: quiet,
    sweepIntervalMs: 60_000,
    ...(onTimerFired ? { onTimerFired } : {}),
  });
}

const event = (type: DeviceEventType) => ({ id: randomUUID(), type, ts: new Date().toISOString() });

/** Applies `n` inputs (device events opening alarms) with bounded concurrency; inputs per second. */
async function burst(inbox: Inbox, ids: string[], concurrency: number): Promise<number> {
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < ids.length) {
        const id = ids[next++] as string;
        const e = event('alarm.button');
        await inbox.acceptAndApply(id, e);
      }
    }),
  );
  return ids.length / ((performance.now() - t0) / 1000);
}

/** pgbench with one transaction shaped like one input: lock, insert a timeline row, update a row. */
async function pgbench(databaseUrl: string, seconds: number, clients: number): Promise<number> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'trygg-pgbench-'));
  try {
    const script = path.join(dir, 'input.sql');
    await writeFile(
      script,
      `\\set id random(1, 1000)
BEGIN;
SELECT pg_advisory_xact_lock(:id);
UPDATE bench_peer SET v = v + 1 WHERE id = :id;
INSERT INTO bench_peer_log (id, at) VALUES (:id, now());
COMMIT;
`,
    );
    const u = new URL(databaseUrl);
    const args = [
      '-n',
      '-h',
      u.hostname,
      '-p',
      u.port || '5432',
      '-U',
      decodeURIComponent(u.username || 'postgres'),
      '-f',
      script,
      '-c',
      String(clients),
      '-j',
      '2',
      '-T',
      String(seconds),
      u.pathname.slice(1),
    ];
    const { stdout } = await run('pgbench', args, { env: { ...process.env, PGPASSWORD: decodeURIComponent(u.password) } });
    const m = /tps = ([\d.]+)/.exec(stdout);
    return m ? Number(m[1]) : NaN;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function benchEscalation(o: EscalationBenchOptions): Promise<EscalationBenchResult> {
  const { pool, log } = o;
  const throughputSet = o.inputs;
  const ids = await seed(pool, o.openAlarms + o.rounds * throughputSet, o.stepS);
  await pool.query(
    'CREATE TABLE bench_peer (id int PRIMARY KEY, v bigint NOT NULL DEFAULT 0); CREATE TABLE bench_peer_log (id int, at timestamptz)',
  );
  await pool.query('INSERT INTO bench_peer (id) SELECT generate_series(1, 1000)');

  // 1. Inputs per second in rounds alternating with pgbench's, for the spread.
  let eng = benchEngine(pool);
  await eng.start();
  const inbox = new Inbox(pool, eng, quiet);
  const inputsPerSecond: number[] = [];
  const pgbenchTps: number[] = [];
  for (let round = 0; round < o.rounds; round++) {
    const batch = ids.slice(o.openAlarms + round * throughputSet, o.openAlarms + (round + 1) * throughputSet);
    inputsPerSecond.push(await burst(inbox, batch, 16));
    pgbenchTps.push(await pgbench(o.databaseUrl, o.pgbenchSeconds, 16));
    log(
      `  round ${round + 1}: ${fmt(inputsPerSecond.at(-1) ?? NaN, 0)} inputs/s, pgbench ${fmt(pgbenchTps.at(-1) ?? NaN, 0)} tps`,
    );
  }
  await pool.query(`UPDATE alarms SET state = 'resolved', closed_at = now() WHERE device_id = ANY($1)`, [
    ids.slice(o.openAlarms),
  ]);
  await pool.query(`DELETE FROM alarm_timers WHERE alarm_id IN (SELECT id FROM alarms WHERE state = 'resolved')`);
  await eng.stop();

  // 2. Build up the open set at a steady rate; each alarm's step timer falls due stepS later.
  const lateness: number[] = [];
  const bare: number[] = [];
  eng = benchEngine(pool, (ms) => lateness.push(ms));
  await eng.start();
  const inbox2 = new Inbox(pool, eng, quiet);
  log(`  opening ${o.openAlarms} alarms at ${o.rate}/s; their timers fall due ${o.stepS} s after each`);
  const open = ids.slice(0, o.openAlarms);
  let notOpened = 0;
  const t0 = Date.now();
  for (let i = 0; i < open.length; i++) {
    const wait = t0 + (i * 1000) / o.rate - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const id = open[i] as string;
    const e = event('alarm.button');
    // Not awaited (the rate is the point); an engine falling behind shows up as a count, not a crash.
    inbox2.acceptAndApply(id, e).catch(() => notOpened++);
    // The peer: a bare setTimeout for the same moment, in the same process.
    const due = Date.now() + o.stepS * 1000;
    setTimeout(() => bare.push(Date.now() - due), o.stepS * 1000);
  }
  const deadline = Date.now() + o.stepS * 1000 + 60_000;
  while (lateness.length < o.openAlarms - notOpened && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
  if (lateness.length < o.openAlarms) log(`  WARNING: only ${lateness.length} of ${o.openAlarms} timers fired`);
  if (notOpened) log(`  WARNING: ${notOpened} of ${o.openAlarms} alarms could not be opened at ${o.rate}/s`);
  await eng.stop();

  // 3. Recovery: a new engine over the open alarms (their response-centre timers re-armed), in
  // rounds: each restart finds the same stored state.
  const { rows } = await pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM alarms WHERE state IN ('open', 'claimed', 'arrived')`,
  );
  log(`  restarting over ${rows[0]?.n} open alarms, ${o.rounds} times`);
  const recoveryMs: number[] = [];
  let rearmed = 0;
  for (let round = 0; round < o.rounds; round++) {
    const r0 = performance.now();
    eng = benchEngine(pool);
    await eng.start();
    recoveryMs.push(performance.now() - r0);
    rearmed = Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM alarm_timers')).rows[0]?.n);
    await eng.stop();
  }

  return {
    timerLatenessMs: summarise(lateness),
    notOpened,
    bareTimerLatenessMs: summarise(bare),
    inputsPerSecond,
    pgbenchTps,
    recoveryMs,
    rearmedTimers: rearmed,
  };
}

export function escalationFigures(r: EscalationBenchResult): Figure[] {
  const t = r.timerLatenessMs;
  const b = r.bareTimerLatenessMs;
  const recovery = median(r.recoveryMs);
  return [
    figure({
      section: 'escalation',
      name: `timer lateness p50 / p99 / p99.9 / max (ms), ${t.n} timers`,
      kind: 'latency',
      trygg: t,
      peer: { name: 'setTimeout', value: b },
      goal: { text: 'p99 ≤ 50', met: t.p99 <= 50 },
      // Measured once (2½ minutes); a late bare setTimeout means the machine itself stalled.
      noisyBecause:
        b.p99 > 10
          ? `bare setTimeout late by ${fmt(b.p99)} ms at p99`
          : r.notOpened
            ? `${r.notOpened} alarms could not be opened at the rate`
            : null,
    }),
    figure({
      section: 'escalation',
      name: 'inputs applied / s (median of rounds)',
      kind: 'rate',
      trygg: median(r.inputsPerSecond),
      peer: { name: 'pgbench tps', value: median(r.pgbenchTps) },
      rounds: { trygg: r.inputsPerSecond, peer: r.pgbenchTps },
    }),
    figure({
      section: 'escalation',
      name: `recovery over ${r.rearmedTimers} timers (ms, median of restarts)`,
      kind: 'duration',
      trygg: recovery,
      goal: { text: '≤ 5000', met: recovery <= 5000 },
      rounds: { trygg: r.recoveryMs },
    }),
  ];
}
