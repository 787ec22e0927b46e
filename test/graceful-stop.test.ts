/**
 * Stopping gracefully (issue 17, item 4), with the real process and real signals. Trygg owns its
 * stop: HTTP and device ingress first, then what lingers is written, then the pools, then the
 * embedded PostgreSQL, then exit 0 — whoever sends the signal and however often it arrives:
 *
 * - SIGTERM to the service process (`docker stop`, the container running node directly): exit 0,
 *   and the QoS 0 telemetry still lingering for company when it came is in the database.
 * - SIGTERM to `npm run dev`: npm passes it on, the service stops and exits, nothing runs on.
 * - Ctrl-C in `npm run dev` on the embedded default: SIGINT to the whole process group reaches the
 *   service twice (from the terminal, and from npm) and PostgreSQL not at all; one stop, exit 0,
 *   the samples written, then PostgreSQL stopped.
 * - A second signal while the stop waits (here on a hung database) exits at once: 128 + signal.
 */
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import pg from 'pg';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedDb } from '../server/src/embedded-db.js';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { alive, cleanUp, startServiceProcess, type ServiceProcess } from './support/service-process.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';
import type { DemoCredentials } from './support/types.js';

const DEVICE = 'res-kari-button';
const SAMPLES = 30;

let dir: string;
const started: { p: ServiceProcess; data: string }[] = [];
const databases: TestDatabase[] = [];
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'trygg-stop-'));
  await chmod(dir, 0o755); // run as root, the embedded PostgreSQL runs as `postgres`
});
afterEach(async () => {
  for (const { p, data } of started.splice(0)) await cleanUp(p, data);
});
afterAll(async () => {
  for (const db of databases) await db.drop();
  await rm(dir, { recursive: true, force: true });
});

/** A folder of its own for one service's demo.json (and embedded PostgreSQL). */
const dataDir = (name: string) => path.join(dir, name);

async function externalDb(): Promise<TestDatabase> {
  const db = await createTestDatabase({ migrate: false });
  databases.push(db);
  return db;
}

function start(env: Record<string, string>, opts: { npm?: boolean; group?: boolean } = {}): ServiceProcess {
  const p = startServiceProcess(env, opts);
  started.push({ p, data: env.TRYGG_DATA_DIR ?? '' });
  return p;
}

/**
 * The demo's alarm button sends `SAMPLES` QoS 0 telemetry samples (each lingers up to 50 ms for
 * company before its batch is written), then a QoS 1 heartbeat whose PUBACK says the gateway has
 * taken everything before it. Returns the samples' timestamps.
 */
async function sendTelemetry(dataFolder: string, mqttPort: number): Promise<string[]> {
  const demo = JSON.parse(await readFile(path.join(dataFolder, 'demo.json'), 'utf8')) as DemoCredentials;
  const dev = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, {
    clientId: DEVICE,
    username: DEVICE,
    password: demo.devices.find((d) => d.id === DEVICE)?.secret,
    reconnectPeriod: 0,
  });
  const base = Math.floor(Date.now() / 1000) * 1000 - 60_000;
  const stamps = Array.from({ length: SAMPLES }, (_, i) => new Date(base + i * 1000).toISOString());
  for (const [i, ts] of stamps.entries()) {
    await dev.publishAsync(`trygg/v1/devices/${DEVICE}/telemetry`, JSON.stringify({ ts, battery: 50 + i }), { qos: 0 });
  }
  const heartbeat = JSON.stringify({ id: `hb-${base}`, type: 'heartbeat', ts: new Date().toISOString() });
  await dev.publishAsync(`trygg/v1/devices/${DEVICE}/events`, heartbeat, { qos: 1 });
  dev.end(true);
  return stamps;
}

async function storedSamples(url: string, stamps: string[]): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM telemetry WHERE device_id = $1 AND metric = 'battery' AND time = ANY($2::timestamptz[])`,
      [DEVICE, stamps],
    );
    return rows[0]?.n ?? 0;
  } finally {
    await client.end();
  }
}

describe('stopping gracefully', () => {
  it('SIGTERM to the service: exit 0, the lingering QoS 0 telemetry written first', { timeout: 90_000 }, async () => {
    const db = await externalDb();
    const data = dataDir('sigterm');
    const svc = start({ DATABASE_URL: db.url, TRYGG_DEMO: 'true', TRYGG_DATA_DIR: data });
    const { mqtt: mqttPort } = await svc.running();
    const stamps = await sendTelemetry(data, mqttPort);
    svc.child.kill('SIGTERM');
    expect(await svc.exited).toEqual({ code: 0, signal: null });
    expect(await storedSamples(db.url, stamps)).toBe(SAMPLES);
  });

  it('SIGTERM to `npm run dev` reaches the service: it stops, and nothing runs on', { timeout: 90_000 }, async () => {
    const db = await externalDb();
    const svc = start({ DATABASE_URL: db.url, TRYGG_DEMO: 'true', TRYGG_DATA_DIR: dataDir('npm') }, { npm: true });
    await svc.running();
    const servicePid = Number(svc.logs[0]?.pid); // pino writes the process id on every line
    expect(servicePid).not.toBe(svc.child.pid); // npm is the process we signal, the service another
    svc.child.kill('SIGTERM');
    expect(await svc.exited).toEqual({ code: 0, signal: null });
    expect(svc.logs.some((l) => l.msg === 'stopped')).toBe(true);
    expect(alive(servicePid)).toBe(false);
  });

  it(
    'Ctrl-C in `npm run dev` on the embedded default: one stop, the samples written, then PostgreSQL',
    { timeout: 180_000 },
    async () => {
      const data = dataDir('embedded');
      const svc = start({ TRYGG_DATA_DIR: data }, { npm: true, group: true });
      const { mqtt: mqttPort } = await svc.running();
      const server = Number((await readFile(path.join(data, 'pg', 'postmaster.pid'), 'utf8')).split('\n')[0]);
      const stamps = await sendTelemetry(data, mqttPort);
      process.kill(-(svc.child.pid ?? 0), 'SIGINT'); // the terminal's Ctrl-C: the whole foreground group
      expect(await svc.exited).toEqual({ code: 0, signal: null });
      expect(svc.logs.filter((l) => l.msg === 'stopping')).toHaveLength(1);
      expect(alive(server)).toBe(false);

      const db = await startEmbeddedDb(data, 0, pino({ level: 'silent' }));
      try {
        expect(await storedSamples(db.url, stamps)).toBe(SAMPLES);
      } finally {
        await db.stop();
      }
    },
  );

  describe('with a hung database', () => {
    let proxy: TcpProxy;
    afterAll(async () => {
      proxy?.resume();
      await proxy?.close();
    });

    it('a second signal exits at once, without waiting for the stop', { timeout: 90_000 }, async () => {
      const db = await externalDb();
      proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 });
      const data = dataDir('hung');
      const svc = start({
        DATABASE_URL: proxy.rewrite(db.url),
        TRYGG_DEMO: 'true',
        TRYGG_DATA_DIR: data,
        TRYGG_DB_STATEMENT_TIMEOUT_MS: '600000', // the stop cannot finish by itself while the test runs
      });
      const { mqtt: mqttPort } = await svc.running();
      const demo = JSON.parse(await readFile(path.join(data, 'demo.json'), 'utf8')) as DemoCredentials;
      const dev = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, {
        clientId: DEVICE,
        username: DEVICE,
        password: demo.devices.find((d) => d.id === DEVICE)?.secret,
        reconnectPeriod: 0,
      });
      proxy.hang();
      // A sample whose write now waits on the database: the stop must flush it, and cannot.
      await dev.publishAsync(
        `trygg/v1/devices/${DEVICE}/telemetry`,
        JSON.stringify({ ts: new Date().toISOString(), battery: 42 }),
        {
          qos: 0,
        },
      );
      dev.end(true);

      svc.child.kill('SIGTERM');
      await svc.log((l) => l.msg === 'stopping');
      // Past the window in which a repeat is taken for the same signal delivered twice.
      await new Promise((r) => setTimeout(r, 1_500));
      expect(svc.child.exitCode).toBeNull(); // the first signal started a stop, which waits on the database
      svc.child.kill('SIGTERM');
      expect(await svc.exited).toEqual({ code: 143, signal: null });
      expect(svc.logs.some((l) => l.msg === 'stopped')).toBe(false);
    });
  });
});
