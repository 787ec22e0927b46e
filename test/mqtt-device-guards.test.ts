/**
 * The gateway against bad or hostile devices, with real MQTT clients: clocks far off, floods
 * from one device, a subscriber vanishing mid-flood, decommissioned and revoked devices, the
 * retained status with the last will, the configuration on subscribing, and credential guessing
 * against one device id (last: it blocks that id for this file's service). Floods of CONNECTs
 * and blocks per address: mqtt-connect-flood.test.ts.
 */
import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from './support/service.js';

let svc: TestService;
let db: pg.Pool;
beforeAll(async () => {
  svc = await startTestService({
    start: {
      gatewayLimits: {
        messages: { perSecond: 5, burst: 10 },
        floodDisconnectAfter: 20,
        authFailures: { maxPerId: 5, maxIdsPerAddress: 5, windowS: 60, blockS: 60 },
        maxClockSkewS: 3600,
      },
    },
  });
  db = new pg.Pool({ connectionString: svc.db.url, max: 2 });
});
afterAll(async () => {
  await db?.end();
  await svc?.stop();
});

const now = () => new Date().toISOString();
const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000).toISOString();
const count = async (sql: string, params: unknown[]) => Number((await db.query<{ n: string }>(sql, params)).rows[0]?.n);
const secretOf = (id: string) => svc.demo.devices.find((d) => d.id === id)?.secret ?? '';
const closed = (c: MqttClient) => new Promise<void>((resolve) => c.once('close', () => resolve()));
function feedbackOf(c: MqttClient): { type: string; code?: string; eventId?: string; heartbeatIntervalS?: number }[] {
  const got: { type: string }[] = [];
  c.on('message', (_t, p) => got.push(JSON.parse(p.toString()) as { type: string }));
  return got;
}

describe('device guards', () => {
  it('sends the device its configuration when it subscribes to feedback', async () => {
    await db.query('UPDATE devices SET heartbeat_interval_s = 120 WHERE id = $1', ['rom-101-cord']);
    const dev = await svc.device('rom-101-cord');
    const fb = feedbackOf(dev);
    await dev.subscribeAsync('trygg/v1/devices/rom-101-cord/feedback', { qos: 1 });
    await expect.poll(() => fb[0]).toEqual({ type: 'config', heartbeatIntervalS: 120 });
    // A new interval reaches the connected device at once.
    await db.query('UPDATE devices SET heartbeat_interval_s = 300 WHERE id = $1', ['rom-101-cord']);
    await expect.poll(() => fb[1]).toEqual({ type: 'config', heartbeatIntervalS: 300 });
  });

  it('refuses telemetry from a clock far off, and stores an alarm anyway with its own receive time', async () => {
    const dev = await svc.device('rom-102-cord');
    const fb = feedbackOf(dev);
    await dev.subscribeAsync('trygg/v1/devices/rom-102-cord/feedback', { qos: 1 });
    await dev.publishAsync('trygg/v1/devices/rom-102-cord/telemetry', JSON.stringify({ ts: hoursAgo(48), battery: 50 }), {
      qos: 1,
    });
    expect(await count('SELECT count(*) AS n FROM telemetry WHERE device_id = $1', ['rom-102-cord'])).toBe(0);
    const id = randomUUID();
    await dev.publishAsync(
      'trygg/v1/devices/rom-102-cord/events',
      JSON.stringify({ id, type: 'alarm.pull-cord', ts: '2001-01-01T00:00:00Z' }),
      { qos: 1 },
    );
    const { rows } = await db.query<{ ts: Date }>('SELECT ts FROM device_events WHERE device_id = $1 AND event_id = $2', [
      'rom-102-cord',
      id,
    ]);
    expect(Math.abs((rows[0]?.ts.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);
    await expect
      .poll(() => fb.filter((f) => f.code === 'TRYGG_ERR_CLOCK_SKEW').map((f) => f.eventId ?? null))
      .toEqual([null, id]);
    expect(svc.logs.some((l) => l.code === 'TRYGG_ERR_CLOCK_SKEW' && l.deviceId === 'rom-102-cord')).toBe(true);
  });

  it('drops a telemetry flood over budget, then disconnects the flooder; others are not disturbed', async () => {
    const flooder = await svc.device('rom-103-cord');
    const gone = closed(flooder);
    for (let i = 0; i < 200; i++) {
      flooder.publish(
        'trygg/v1/devices/rom-103-cord/telemetry',
        JSON.stringify({ ts: new Date(Date.now() - i * 1000).toISOString(), rssi: -60 }),
        { qos: 0 },
      );
    }
    await gone;
    const other = await svc.device('rom-104-cord');
    await other.publishAsync('trygg/v1/devices/rom-104-cord/telemetry', JSON.stringify({ ts: now(), battery: 90 }), { qos: 1 });
    expect(await count('SELECT count(*) AS n FROM telemetry WHERE device_id = $1', ['rom-104-cord'])).toBe(1);
    // QoS 0 samples have no PUBACK to wait for: their batch commits a moment later (it lingers for company).
    const kept = () => count('SELECT count(*) AS n FROM telemetry WHERE device_id = $1', ['rom-103-cord']);
    await expect.poll(kept).toBeGreaterThan(0);
    expect(await kept()).toBeLessThan(200);
    expect(svc.trygg.gateway?.counters.get('TRYGG_ERR_RATE_LIMITED')).toBeGreaterThan(0);
    expect(svc.logs.some((l) => l.code === 'TRYGG_ERR_RATE_LIMITED' && l.deviceId === 'rom-103-cord')).toBe(true);
    expect(svc.logs.some((l) => l.msg === 'device flooding; disconnecting' && l.deviceId === 'rom-103-cord')).toBe(true);
  });

  it('never acknowledges an alarm event over budget: the device is cut off, and its resends all arrive, once', async () => {
    const dev = await svc.device('rom-201-bed', { reconnectPeriod: 200 });
    const ids = Array.from({ length: 30 }, () => randomUUID());
    let reconnects = 0;
    dev.on('reconnect', () => reconnects++);
    await Promise.all(
      ids.map((id) =>
        dev.publishAsync('trygg/v1/devices/rom-201-bed/events', JSON.stringify({ id, type: 'alarm.bed-exit', ts: now() }), {
          qos: 1,
        }),
      ),
    );
    expect(reconnects).toBeGreaterThan(0);
    expect(
      await count('SELECT count(*) AS n FROM device_events WHERE device_id = $1 AND event_id = ANY($2)', ['rom-201-bed', ids]),
    ).toBe(30);
    dev.end(true);
  });

  it('survives a subscriber that vanishes in the middle of a flood', async () => {
    const dev = await svc.device('rom-202-bed');
    await dev.subscribeAsync('trygg/v1/devices/rom-202-bed/feedback', { qos: 1 });
    for (let i = 0; i < 300; i++) {
      // Alarm events (each answered with feedback) mixed with garbage (answered with errors).
      dev.publish(
        'trygg/v1/devices/rom-202-bed/events',
        i % 2 ? '{"broken": ' : JSON.stringify({ id: randomUUID(), type: 'alarm.bed-exit', ts: now() }),
        { qos: 1 },
      );
      if (i === 150) dev.stream.destroy(); // gone without DISCONNECT, mid-flood
    }
    await new Promise((r) => setTimeout(r, 500));
    expect(svc.trygg.gateway?.ready).toBe(true);
    const other = await svc.device('rom-203-bed');
    await other.publishAsync(
      'trygg/v1/devices/rom-203-bed/events',
      JSON.stringify({ id: randomUUID(), type: 'alarm.bed-exit', ts: now() }),
      {
        qos: 1,
      },
    );
    expect(await count('SELECT count(*) AS n FROM device_events WHERE device_id = $1', ['rom-203-bed'])).toBe(1);
  });

  it('keeps the status retained, and the last will marks a vanished device offline', async () => {
    const id = 'rom-204-cord';
    const dev = await svc.device(id, {
      will: { topic: `trygg/v1/devices/${id}/status`, payload: Buffer.from('offline'), qos: 1, retain: true },
    });
    await dev.publishAsync(`trygg/v1/devices/${id}/status`, 'online', { qos: 1, retain: true });
    await expect.poll(() => svc.trygg.gateway?.status(id)).toBe('online');
    dev.stream.destroy();
    await expect.poll(() => svc.trygg.gateway?.status(id)).toBe('offline');
    // Anything else on status is refused (and not retained).
    const again = await svc.device(id);
    const gone = closed(again);
    again.publish(`trygg/v1/devices/${id}/status`, 'sleepy', { qos: 1, retain: true });
    await gone;
    expect(await svc.trygg.gateway?.status(id)).toBe('offline');
  });

  it('disconnects a device at once when it is decommissioned or its secret is revoked', async () => {
    const returned = await svc.device('rom-101-bed');
    const returnedGone = closed(returned);
    await db.query(`UPDATE devices SET status = 'returned' WHERE id = $1`, ['rom-101-bed']);
    await returnedGone;
    await expect(
      mqtt.connectAsync(svc.mqttUrl, {
        clientId: 'rom-101-bed',
        username: 'rom-101-bed',
        password: secretOf('rom-101-bed'),
        reconnectPeriod: 0,
      }),
    ).rejects.toThrow(/Not authorized/i);

    const revoked = await svc.device('rom-102-bed');
    const revokedGone = closed(revoked);
    await db.query('UPDATE devices SET secret_hash = NULL WHERE id = $1', ['rom-102-bed']);
    await revokedGone;
    expect(svc.logs.filter((l) => l.code === 'TRYGG_ERR_DEVICE_REVOKED').map((l) => l.deviceId)).toEqual([
      'rom-101-bed',
      'rom-102-bed',
    ]);
    // Devices still in service stayed connected.
    const fine = await svc.device('rom-103-bed');
    await fine.publishAsync('trygg/v1/devices/rom-103-bed/telemetry', JSON.stringify({ ts: now(), battery: 70 }), { qos: 1 });
  });

  it('closes a connection whose packet announces more than the transport ceiling, before buffering it', async () => {
    const dev = await svc.device('rom-104-door');
    const gone = closed(dev);
    dev.publish('trygg/v1/devices/rom-104-door/events', Buffer.alloc(1024 * 1024, 0x20), { qos: 1 });
    await gone;
    expect(
      svc.logs.some(
        (l) => l.code === 'TRYGG_ERR_PAYLOAD_TOO_LARGE' && l.address === '127.0.0.1' && Number(l.announced) > 1024 * 1024,
      ),
    ).toBe(true);
    const other = await svc.device('rom-203-door');
    await other.publishAsync('trygg/v1/devices/rom-203-door/telemetry', JSON.stringify({ ts: now(), battery: 60 }), { qos: 1 });
  });

  it('blocks a device id after repeated wrong secrets, even for the right one, and not its neighbours', async () => {
    const attempt = (password: string) =>
      mqtt.connectAsync(svc.mqttUrl, { clientId: 'rom-104-bed', username: 'rom-104-bed', password, reconnectPeriod: 0 });
    for (let i = 0; i < 5; i++) await expect(attempt(`guess-${i}`)).rejects.toThrow(/Bad username or password/i);
    await expect(attempt(secretOf('rom-104-bed'))).rejects.toThrow(/Not authorized/i);
    expect(svc.logs.some((l) => l.code === 'TRYGG_ERR_CONNECT_RATE_LIMITED' && l.deviceId === 'rom-104-bed')).toBe(true);
    // The same address (127.0.0.1, as a care home's shared one) still serves the other devices.
    const neighbour = await svc.device('rom-204-bed');
    await neighbour.publishAsync('trygg/v1/devices/rom-204-bed/telemetry', JSON.stringify({ ts: now(), battery: 80 }), {
      qos: 1,
    });
  });
});
