/**
 * The device protocol's safety rules against the embedded broker with real MQTT clients:
 * PUBACK means stored, ids are idempotent, credentials and topic ACLs hold, and bad payloads are
 * refused with a logged error code while the broker keeps serving everyone else.
 */
import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from './support/service.js';

let svc: TestService;
let db: pg.Pool;
beforeAll(async () => {
  svc = await startTestService();
  db = new pg.Pool({ connectionString: svc.db.url, max: 2 });
});
afterAll(async () => {
  await db?.end();
  await svc?.stop();
});

const event = (type = 'alarm.button', id = randomUUID()) => JSON.stringify({ id, type, ts: new Date().toISOString() });
const countEvents = async (deviceId: string) =>
  Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM device_events WHERE device_id = $1', [deviceId])).rows[0]?.n);
const countAlarms = async (deviceId: string) =>
  Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM alarms WHERE device_id = $1', [deviceId])).rows[0]?.n);

describe('MQTT device protocol', () => {
  it('acknowledges only what is committed', async () => {
    const dev = await svc.device('rom-201-cord');
    const id = randomUUID();
    await dev.publishAsync('trygg/v1/devices/rom-201-cord/events', event('alarm.pull-cord', id), { qos: 1 });
    // The PUBACK has arrived: the row must already be there, with no waiting.
    const { rows } = await db.query('SELECT type FROM device_events WHERE device_id = $1 AND event_id = $2', [
      'rom-201-cord',
      id,
    ]);
    expect(rows).toEqual([{ type: 'alarm.pull-cord' }]);
  });

  it('stores a duplicate event id once and opens one alarm', async () => {
    const dev = await svc.device('rom-202-door');
    const id = randomUUID();
    for (let i = 0; i < 3; i++)
      await dev.publishAsync('trygg/v1/devices/rom-202-door/events', event('alarm.door', id), { qos: 1 });
    await expect.poll(() => countAlarms('rom-202-door')).toBe(1);
    expect(await countEvents('rom-202-door')).toBe(1);
    expect(svc.trygg.gateway?.counters.get('events.duplicate')).toBeGreaterThanOrEqual(2);
    const { rows } = await db.query<{ doc: { eventCount: number } }>('SELECT doc FROM alarms WHERE device_id = $1', [
      'rom-202-door',
    ]);
    expect(rows[0]?.doc.eventCount).toBe(1);
  });

  it('joins repeated presses into the open alarm', async () => {
    const dev = await svc.device('rom-203-cord');
    for (let i = 0; i < 3; i++)
      await dev.publishAsync('trygg/v1/devices/rom-203-cord/events', event('alarm.pull-cord'), { qos: 1 });
    await expect
      .poll(async () =>
        (
          await db.query<{ doc: { eventCount: number } }>('SELECT doc FROM alarms WHERE device_id = $1', ['rom-203-cord'])
        ).rows.map((r) => r.doc.eventCount),
      )
      .toEqual([3]);
  });

  it('refuses a wrong secret and an unknown device at connect', async () => {
    await expect(
      mqtt.connectAsync(svc.mqttUrl, {
        clientId: 'res-kari-button',
        username: 'res-kari-button',
        password: 'wrong',
        reconnectPeriod: 0,
      }),
    ).rejects.toThrow(/Bad username or password/i);
    await expect(
      mqtt.connectAsync(svc.mqttUrl, { clientId: 'ghost-1', username: 'ghost-1', password: 'whatever', reconnectPeriod: 0 }),
    ).rejects.toThrow(/Bad username or password/i);
    // Someone else's id with your own secret is refused too.
    const mine = svc.demo.devices.find((d) => d.id === 'res-per-fall');
    await expect(
      mqtt.connectAsync(svc.mqttUrl, {
        clientId: 'res-kari-button',
        username: 'res-per-fall',
        password: mine?.secret,
        reconnectPeriod: 0,
      }),
    ).rejects.toThrow(/Bad username or password/i);
    expect(svc.logs.some((l) => l.code === 'TRYGG_ERR_DEVICE_CREDENTIALS' && l.clientId === 'res-kari-button')).toBe(true);
    expect(svc.logs.some((l) => l.code === 'TRYGG_ERR_DEVICE_UNKNOWN' && l.clientId === 'ghost-1')).toBe(true);
  });

  it("does not let a device publish under another device's prefix", async () => {
    const intruder = await svc.device('rom-204-bed');
    const closed = new Promise<void>((resolve) => intruder.once('close', () => resolve()));
    intruder.publish('trygg/v1/devices/res-kari-smoke/events', event('alarm.smoke'), { qos: 1 });
    await closed;
    expect(await countEvents('res-kari-smoke')).toBe(0);
    expect(svc.logs.some((l) => l.code === 'TRYGG_ERR_TOPIC_FORBIDDEN' && l.deviceId === 'rom-204-bed')).toBe(true);
    // Nor subscribe to another device's feedback.
    const peeker = await svc.device('rom-104-bed');
    // SUBACK 0x80: mqtt.js reports a refused filter as a subscribe error.
    await expect(peeker.subscribeAsync('trygg/v1/devices/res-kari-button/feedback', { qos: 1 })).rejects.toThrow(
      /Subscribe error/,
    );
    expect(svc.logs.some((l) => l.code === 'TRYGG_ERR_TOPIC_FORBIDDEN' && l.deviceId === 'rom-104-bed')).toBe(true);
  });

  it('refuses malformed JSON, unknown types, schema violations and oversized payloads, and keeps serving others', async () => {
    const bad = await svc.device('rom-103-door');
    const feedback: { type: string; code?: string }[] = [];
    await bad.subscribeAsync('trygg/v1/devices/rom-103-door/feedback', { qos: 1 });
    bad.on('message', (_t, p) => feedback.push(JSON.parse(p.toString()) as { type: string; code?: string }));
    const topic = 'trygg/v1/devices/rom-103-door/events';
    await bad.publishAsync(topic, '{"id": "x1", "type": ', { qos: 1 });
    await bad.publishAsync(topic, event('alarm.teleport'), { qos: 1 });
    await bad.publishAsync(topic, JSON.stringify({ id: 'x3', type: 'alarm.door', ts: 20261201 }), { qos: 1 });
    await bad.publishAsync(topic, JSON.stringify({ id: 'x4', type: 'alarm.door', ts: new Date().toISOString(), battery: 140 }), {
      qos: 1,
    });
    await bad.publishAsync(topic, Buffer.alloc(64 * 1024, 0x20), { qos: 1 });
    const expected = [
      'TRYGG_ERR_PAYLOAD_MALFORMED',
      'TRYGG_ERR_EVENT_TYPE_UNKNOWN',
      'TRYGG_ERR_SCHEMA',
      'TRYGG_ERR_SCHEMA',
      'TRYGG_ERR_PAYLOAD_TOO_LARGE',
    ];
    await expect.poll(() => feedback.filter((f) => f.type === 'error').map((f) => f.code)).toEqual(expected);
    for (const code of new Set(expected)) {
      expect(svc.logs.some((l) => l.code === code && l.deviceId === 'rom-103-door')).toBe(true);
    }
    expect(await countEvents('rom-103-door')).toBe(0);
    // The same connection and others still work.
    await bad.publishAsync(topic, event('alarm.door'), { qos: 1 });
    expect(await countEvents('rom-103-door')).toBe(1);
    const other = await svc.device('res-astrid-button');
    await other.publishAsync('trygg/v1/devices/res-astrid-button/events', event(), { qos: 1 });
    expect(await countEvents('res-astrid-button')).toBe(1);
  });

  it('stores telemetry and refuses out-of-range values', async () => {
    const dev = await svc.device('res-per-fall');
    await dev.publishAsync(
      'trygg/v1/devices/res-per-fall/telemetry',
      JSON.stringify({ ts: new Date().toISOString(), battery: 87, rssi: -71 }),
      { qos: 1 },
    );
    const { rows } = await db.query<{ metric: string; value: number }>(
      'SELECT metric, value FROM telemetry WHERE device_id = $1 ORDER BY metric',
      ['res-per-fall'],
    );
    expect(rows).toEqual([
      { metric: 'battery', value: 87 },
      { metric: 'rssi', value: -71 },
    ]);
    await dev.publishAsync(
      'trygg/v1/devices/res-per-fall/telemetry',
      JSON.stringify({ ts: new Date().toISOString(), temperature: 300 }),
      { qos: 1 },
    );
    await expect.poll(() => svc.logs.some((l) => l.code === 'TRYGG_ERR_SCHEMA' && l.deviceId === 'res-per-fall')).toBe(true);
  });
});
