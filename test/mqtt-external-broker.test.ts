/**
 * External broker mode against the Mosquitto on this machine (127.0.0.1:1883): no embedded
 * broker; devices (3.1.1 and 5) talk to Mosquitto, the gateway consumes through a shared
 * subscription on a persistent session and acknowledges only after commit. Each run uses its
 * own device ids, client ids and share group, so runs never see each other's messages.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExternalBrokerConsumer, TelemetryWriter } from '@trygg/gateway';
import { Inbox } from '@trygg/alarm-core';
import { addFleet, type Fleet } from './support/fleet.js';
import { startTestService, type TestService } from './support/service.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';

const BROKER = process.env.TRYGG_TEST_MOSQUITTO ?? 'mqtt://127.0.0.1:1883';
const run = randomBytes(4).toString('hex');
const clientId = `trygg-test-${run}`;
const group = `g${run}`;

let svc: TestService;
let db: pg.Pool;
let proxy: TcpProxy;
let fleet: Fleet;
const devices: MqttClient[] = [];
beforeAll(async () => {
  proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 });
  svc = await startTestService({
    config: { mqttUrl: BROKER, mqttClientId: clientId, mqttShareGroup: group },
    databaseUrl: (url) => proxy.rewrite(url),
  });
  db = new pg.Pool({ connectionString: svc.db.url, max: 2 });
  fleet = await addFleet(svc.db.url, `ext-${run}`, 20);
});
afterAll(async () => {
  for (const d of devices) d.end(true);
  await db?.end();
  await svc?.stop();
  await proxy?.close();
  // Leave no persistent session behind in the machine's Mosquitto.
  for (const id of [clientId, `${clientId}-b`]) {
    const c = await mqtt.connectAsync(BROKER, { clientId: id, clean: true, reconnectPeriod: 0 });
    await c.endAsync();
  }
});

async function device(id: string, protocolVersion: 4 | 5 = 4): Promise<MqttClient> {
  const c = await mqtt.connectAsync(BROKER, { clientId: `${id}-dev`, protocolVersion, reconnectPeriod: 0 });
  devices.push(c);
  return c;
}
const event = (id = randomUUID(), type = 'alarm.button') => JSON.stringify({ id, type, ts: new Date().toISOString() });
const stored = async (ids: string[]) =>
  Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM device_events WHERE event_id = ANY($1)', [ids])).rows[0]?.n);

describe('external broker mode (Mosquitto)', () => {
  it('runs no embedded broker, stores events from 3.1.1 and 5 devices, and answers through the broker', async () => {
    expect(svc.trygg.gateway).toBeNull();
    expect(svc.trygg.ports.mqtt).toBe(0);
    const [a, b] = fleet.ids;
    const v4 = await device(a!, 4);
    const v5 = await device(b!, 5);
    const feedback: { type: string }[] = [];
    v5.on('message', (_t, p) => feedback.push(JSON.parse(p.toString()) as { type: string }));
    await v5.subscribeAsync(`trygg/v1/devices/${b}/feedback`, { qos: 1 });
    const ids = [randomUUID(), randomUUID()];
    await v4.publishAsync(`trygg/v1/devices/${a}/events`, event(ids[0]), { qos: 1 });
    await v5.publishAsync(`trygg/v1/devices/${b}/events`, event(ids[1]), { qos: 1 });
    await expect.poll(() => stored(ids)).toBe(2);
    await expect.poll(() => feedback.map((f) => f.type)).toContain('received');
    await v4.publishAsync(`trygg/v1/devices/${a}/telemetry`, JSON.stringify({ ts: new Date().toISOString(), battery: 33 }), {
      qos: 1,
    });
    await expect
      .poll(async () => (await db.query<{ value: number }>('SELECT value FROM telemetry WHERE device_id = $1', [a])).rows)
      .toEqual([{ value: 33 }]);
    await expect.poll(async () => (await fetch(`${svc.httpUrl}/readyz`)).status).toBe(200);
  });

  it('acknowledges only after commit: with the database away the broker keeps the event, and it arrives once', async () => {
    const [, , c] = fleet.ids;
    const dev = await device(c!);
    await proxy.close();
    const id = randomUUID();
    await dev.publishAsync(`trygg/v1/devices/${c}/events`, event(id), { qos: 1 }); // the broker's PUBACK to the device
    await expect
      .poll(() => svc.logs.some((l) => l.code === 'TRYGG_ERR_STORE_UNAVAILABLE' && String(l.topic).includes(c!)), {
        timeout: 10_000,
      })
      .toBe(true);
    expect(await stored([id])).toBe(0);
    await proxy.open();
    await expect.poll(() => stored([id]), { timeout: 15_000 }).toBe(1);
  });

  it('keeps its session: events published while the node is down arrive when it is back', async () => {
    const [, , , d] = fleet.ids;
    const dev = await device(d!);
    await svc.trygg.external?.stop();
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    for (const id of ids) await dev.publishAsync(`trygg/v1/devices/${d}/events`, event(id), { qos: 1 });
    expect(await stored(ids)).toBe(0);
    await svc.trygg.external?.start();
    await expect.poll(() => stored(ids), { timeout: 10_000 }).toBe(3);
  });

  it('shares the load with a second node in the same group, each event stored once', async () => {
    const quiet = pino({ level: 'silent' });
    const second = new ExternalBrokerConsumer({
      url: BROKER,
      clientId: `${clientId}-b`,
      shareGroup: group,
      inbox: new Inbox(svc.trygg.pool, svc.trygg.engine, quiet),
      telemetry: new TelemetryWriter(svc.trygg.pool),
      logger: quiet,
      maxClockSkewS: 3600,
    });
    await second.start();
    try {
      await new Promise((r) => setTimeout(r, 200)); // its SUBSCRIBE is on the wire
      const senders = await Promise.all(fleet.ids.slice(4).map((id) => device(id)));
      const ids: string[] = [];
      await Promise.all(
        senders.map(async (s, i) => {
          for (let k = 0; k < 5; k++) {
            const id = randomUUID();
            ids.push(id);
            await s.publishAsync(`trygg/v1/devices/${fleet.ids[i + 4]}/events`, event(id, 'heartbeat'), { qos: 1 });
          }
        }),
      );
      await expect.poll(() => stored(ids), { timeout: 15_000 }).toBe(ids.length);
      expect(second.counters.get('events.stored') ?? 0).toBeGreaterThan(0);
      expect(svc.trygg.external?.counters.get('events.stored') ?? 0).toBeGreaterThan(0);
    } finally {
      await second.stop();
    }
  });
});
