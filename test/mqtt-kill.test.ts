/**
 * The kill test: 500 devices publish a burst of 5 000 alarm events (QoS 1); the service is
 * SIGKILLed in the middle and started again on the same port. Every event that was PUBACKed
 * before the kill is in the database, every event is there exactly once, and the devices'
 * resends of the rest (mqtt.js resends unacknowledged QoS 1 messages on reconnect) arrive.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { addFleet } from './support/fleet.js';
import { startNode, type NodeHandle } from './support/nodes.js';

const DEVICES = 500;
const PER_DEVICE = 10;

let db: TestDatabase;
let pool: pg.Pool;
let dir: string;
const nodes: NodeHandle[] = [];
const clients: MqttClient[] = [];

beforeAll(async () => {
  db = await createTestDatabase({ migrate: false });
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  pool.on('error', () => undefined);
  dir = await mkdtemp(path.join(os.tmpdir(), 'trygg-kill-'));
  await writeFile(path.join(dir, 'notifications.jsonl'), '');
});
afterAll(async () => {
  for (const c of clients) c.end(true);
  for (const n of nodes) await n.kill().catch(() => undefined);
  await pool?.end();
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('SIGKILL in the middle of a burst', () => {
  it('keeps every acknowledged event, stores each once, and takes the resends after the restart', async () => {
    const mqttPort = await freePort();
    const env = {
      DATABASE_URL: db.url,
      TRYGG_DEMO: 'true',
      TRYGG_DATA_DIR: dir,
      NOTIFY_LOG: path.join(dir, 'notifications.jsonl'),
      NODE_MQTT_PORT: String(mqttPort),
      TRYGG_DEVICE_MSG_BURST: '1000', // a burst of ten per device is no flood
    };
    nodes.push(await startNode(env));
    const fleet = await addFleet(db.url, 'kill', DEVICES);
    const url = `mqtt://127.0.0.1:${mqttPort}`;
    for (let i = 0; i < DEVICES; i += 50) {
      clients.push(
        ...(await Promise.all(
          fleet.ids.slice(i, i + 50).map((id) =>
            mqtt.connectAsync(url, {
              clientId: id,
              username: id,
              password: fleet.secret,
              reconnectPeriod: 500,
              reconnectOnConnackError: true,
              connectTimeout: 10_000,
            }),
          ),
        )),
      );
    }

    const all: string[] = [];
    const ackedBeforeKill = new Set<string>();
    let killed = false;
    const acked = new Set<string>();
    let reachedQuarter: () => void = () => undefined;
    const quarter = new Promise<void>((r) => (reachedQuarter = r));
    const done = Promise.all(
      clients.flatMap((c, i) =>
        Array.from({ length: PER_DEVICE }, () => {
          const id = randomUUID();
          all.push(id);
          const body = JSON.stringify({ id, type: 'alarm.button', ts: new Date().toISOString() });
          return new Promise<void>((resolve, reject) =>
            c.publish(`trygg/v1/devices/${fleet.ids[i]}/events`, body, { qos: 1 }, (err) => {
              if (err) return reject(err);
              acked.add(id);
              if (!killed) ackedBeforeKill.add(id);
              if (acked.size >= (DEVICES * PER_DEVICE) / 4) reachedQuarter();
              resolve();
            }),
          );
        }),
      ),
    );

    await quarter;
    killed = true;
    await nodes[0]?.kill();
    const stored = async (ids: string[]) =>
      Number(
        (await pool.query<{ n: string }>('SELECT count(*) AS n FROM device_events WHERE event_id = ANY($1)', [ids])).rows[0]?.n,
      );
    // Everything acknowledged before the kill survived it.
    expect(ackedBeforeKill.size).toBeGreaterThan(0);
    expect(ackedBeforeKill.size).toBeLessThan(all.length);
    expect(await stored([...ackedBeforeKill])).toBe(ackedBeforeKill.size);

    nodes.push(await startNode(env));
    await done; // every device has its PUBACK for every event, the resends' included
    const { rows } = await pool.query<{ n: string; distinct_ids: string }>(
      `SELECT count(*) AS n, count(DISTINCT event_id) AS distinct_ids FROM device_events WHERE device_id LIKE 'kill-%'`,
    );
    expect(rows[0]).toEqual({ n: String(all.length), distinct_ids: String(all.length) });
    expect(await stored(all)).toBe(all.length);
  }, 240_000);
});
