/**
 * `npm run bench`: runs every benchmark against a fresh database on the machine's PostgreSQL
 * (TRYGG_BENCH_PG, default postgres://postgres@127.0.0.1:5432/postgres), prints one table with
 * each figure beside its peer's figure from the same run, and writes bench-results/*.json.
 * Options: --alarms N (default 10000), --rate N alarms/s (default 150), --step S (default 80),
 * --journal N journal entries in the delivery backlog (default 10000), --sip-units N registered
 * SCAIP units (default 2000), --sip-rate N requests/s (default 500), --sip-seconds S (default 20),
 * --residents N and --devices N for the directory (default 10000 / 30000), --sockets N operator
 * sockets for the live fan-out (default 1000), --pushes N push messages per round (default 5000),
 * --only <name> to run one benchmark (escalation, journal, scaip, directory, fanout, push,
 * gateway, scale). The gateway's: --gw-devices N
 * connected devices (default 10000), --gw-alarms N (default 1000), --telemetry-rate N background
 * msg/s (default 1000), --gw-seconds S per QoS 1 run (default 10). The scaling curve's (`--only scale`):
 * --scale N,N,… fleet sizes (default 1000,10000,50000), --scale-rate N alarms/s (default 10),
 * --scale-seconds S of alarms per size (default 15), --scale-heartbeat S per device (default 300).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createPool, migrate } from '@trygg/alarm-core';
import { benchDirectory, directoryRows } from './bench/directory.js';
import { benchEscalation, escalationRows } from './bench/escalation.js';
import { benchFanout, fanoutRows } from './bench/fanout.js';
import { benchGateway, gatewayRows } from './bench/gateway.js';
import { benchJournal, handledAlarm, journalRows } from './bench/journal.js';
import { benchScaip, scaipRows } from './bench/scaip.js';
import { benchScale, scaleRows } from './bench/scale.js';
import { benchPush, pushRows } from './bench/push.js';
import { machine } from './bench/stats.js';

const { values } = parseArgs({
  options: {
    journal: { type: 'string', default: '10000' },
    alarms: { type: 'string', default: '10000' },
    rate: { type: 'string', default: '150' },
    step: { type: 'string', default: '80' },
    'sip-units': { type: 'string', default: '2000' },
    'sip-rate': { type: 'string', default: '500' },
    'sip-seconds': { type: 'string', default: '20' },
    residents: { type: 'string', default: '10000' },
    devices: { type: 'string', default: '30000' },
    sockets: { type: 'string', default: '1000' },
    pushes: { type: 'string', default: '5000' },
    'gw-devices': { type: 'string', default: '10000' },
    'gw-alarms': { type: 'string', default: '1000' },
    'telemetry-rate': { type: 'string', default: '1000' },
    'gw-seconds': { type: 'string', default: '10' },
    scale: { type: 'string', default: '1000,10000,50000' },
    'scale-rate': { type: 'string', default: '10' },
    'scale-seconds': { type: 'string', default: '15' },
    'scale-heartbeat': { type: 'string', default: '300' },
    only: { type: 'string', multiple: true },
  },
});
const runs = (bench: string) => !values.only || values.only.includes(bench);
const admin = process.env.TRYGG_BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const name = `trygg_bench_${randomBytes(4).toString('hex')}`;
const log = (l: string) => process.stdout.write(`${l}\n`);

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

try {
  const databaseUrl = await createDb(name);
  const pool = createPool(databaseUrl, 20);
  const started = Date.now();
  log(`Trygg benchmark on ${JSON.stringify(machine())}`);
  const results: Record<string, unknown> = {};
  const rows = [['figure', 'Trygg', 'peer (same run)', 'ratio', 'goal']];
  if (runs('escalation')) {
    log('escalation engine:');
    const esc = await benchEscalation({
      pool,
      databaseUrl,
      openAlarms: Number(values.alarms),
      rate: Number(values.rate),
      stepS: Number(values.step),
      log,
    });
    results.escalation = esc;
    rows.push(...escalationRows(esc));
  }
  if (runs('journal')) {
    log('journal delivery:');
    const template = await handledAlarm(pool);
    const journal = await benchJournal(pool, template, Number(values.journal), log);
    results.journal = journal;
    rows.push(...journalRows(journal));
  }
  if (runs('scaip')) {
    log('SCAIP receiver (SIPp):');
    const scaip = await benchScaip({
      pool,
      units: Number(values['sip-units']),
      rate: Number(values['sip-rate']),
      seconds: Number(values['sip-seconds']),
      log,
    });
    results.scaip = scaip;
    rows.push(...scaipRows(scaip));
  }
  if (runs('fanout')) {
    log('live fan-out:');
    const fanout = await benchFanout({ clients: Number(values.sockets), updates: 100, gapMs: 100, log });
    results.fanout = fanout;
    rows.push(...fanoutRows(fanout));
  }
  if (runs('push')) {
    log('push preparation:');
    const push = await benchPush({ subscriptions: 1000, messages: Number(values.pushes), log });
    results.push = push;
    rows.push(...pushRows(push));
  }
  await pool.end();
  if (runs('directory')) {
    // Its own database: the registry it seeds must not change what the other benchmarks see.
    log('directory:');
    const dirName = `${name}_dir`;
    try {
      const dirUrl = await createDb(dirName);
      const dirPool = createPool(dirUrl, 4);
      try {
        const directory = await benchDirectory({
          pool: dirPool,
          databaseUrl: dirUrl,
          residents: Number(values.residents),
          devices: Number(values.devices),
          samples: 2_000,
          log,
        });
        results.directory = directory;
        rows.push(...directoryRows(directory));
      } finally {
        await dirPool.end();
      }
    } finally {
      await dropDb(dirName);
    }
  }
  if (runs('gateway')) {
    log('device gateway (service in its own process):');
    const gateway = await benchGateway({
      adminUrl: admin,
      devices: Number(values['gw-devices']),
      alarms: Number(values['gw-alarms']),
      telemetryRate: Number(values['telemetry-rate']),
      seconds: Number(values['gw-seconds']),
      mosquittoUrl: process.env.TRYGG_BENCH_MOSQUITTO ?? 'mqtt://127.0.0.1:1883',
      log,
    });
    results.gateway = gateway;
    rows.push(...gatewayRows(gateway));
  }
  if (runs('scale')) {
    log('scaling curve (service in its own process):');
    const sizes = values.scale.split(',').map(Number);
    if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--scale ${values.scale}: sizes are whole numbers`);
    const scale = await benchScale({
      adminUrl: admin,
      sizes,
      alarmRate: Number(values['scale-rate']),
      seconds: Number(values['scale-seconds']),
      heartbeatS: Number(values['scale-heartbeat']),
      log,
    });
    results.scale = scale;
    const gw = results.gateway as { mosquittoMemoryPerConnectionKiB?: number | null } | undefined;
    rows.push(...scaleRows(scale, gw?.mosquittoMemoryPerConnectionKiB ?? null));
  }

  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  log('');
  for (const r of rows) log(r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' │ '));
  const out = path.resolve(process.env.INIT_CWD ?? process.cwd(), 'bench-results');
  await mkdir(out, { recursive: true });
  await writeFile(
    path.join(out, 'bench.json'),
    JSON.stringify({ machine: machine(), seconds: (Date.now() - started) / 1000, ...results }, null, 2),
  );
  log(`\nwritten to ${path.join(out, 'bench.json')} in ${Math.round((Date.now() - started) / 1000)} s`);
} finally {
  await dropDb(name);
}
