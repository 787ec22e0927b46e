/**
 * Values a device can send that the database refuses, and event ids a device reuses, with real
 * MQTT 5 clients against the whole service: a NUL byte or a lone surrogate in a text field, a
 * time the JSON Schema format accepts but PostgreSQL does not, a leap second, a time that names
 * no instant. None may lose the alarm, none may make the device resend forever (DISCONNECT
 * 0x89), and an alarm queued behind one on the same client is delivered. An id used again for
 * other content is acknowledged and answered on the feedback topic; a true resend is not.
 * Below the gateway: a value the store still refuses fails only its own event in a shared batch,
 * as the device's fault, never as "database unavailable".
 */
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import type { MqttClient } from 'mqtt';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Inbox, TryggError, type DeviceEvent } from '@trygg/alarm-core';
import { startTestService, type TestService } from './support/service.js';
import type { Alarm } from './support/types.js';

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

type Feedback = { type: string; code?: string; eventId?: string; message?: string };

async function device(id: string): Promise<{ c: MqttClient; fb: Feedback[]; disconnects: number[] }> {
  const c = await svc.device(id, { protocolVersion: 5 });
  const fb: Feedback[] = [];
  const disconnects: number[] = [];
  c.on('message', (_t, p) => fb.push(JSON.parse(p.toString()) as Feedback));
  c.on('disconnect', (packet) => disconnects.push(packet.reasonCode ?? 0));
  await c.subscribeAsync(`trygg/v1/devices/${id}/feedback`, { qos: 1 });
  return { c, fb, disconnects };
}

/** The PUBACK's reason code (MQTT 5; 0 = success). */
const reason = (p: unknown) => (p as { reasonCode?: number } | undefined)?.reasonCode ?? 0;

const stored = async (deviceId: string, eventId: string) =>
  (
    await db.query<{ ts: Date; payload: DeviceEvent }>(
      'SELECT ts, payload FROM device_events WHERE device_id = $1 AND event_id = $2',
      [deviceId, eventId],
    )
  ).rows[0];
const openAlarmsOf = async (deviceId: string) =>
  (
    await db.query<{ doc: Alarm }>(`SELECT doc FROM alarms WHERE device_id = $1 AND state IN ('open', 'claimed', 'arrived')`, [
      deviceId,
    ])
  ).rows.map((r) => r.doc);

describe('values the database refuses', () => {
  it('stores a fall alarm with a NUL byte in its text and a lone surrogate in its location, cleaned', async () => {
    const { c, fb, disconnects } = await device('res-per-fall');
    // Written by hand: JSON.stringify would not produce a lone surrogate escape as a device does.
    const raw = `{"id":"nul-1","type":"alarm.fall","ts":"${new Date().toISOString()}","text":"fall detected\\u0000","location":"\\ud800"}`;
    const ack = await c.publishAsync('trygg/v1/devices/res-per-fall/events', raw, { qos: 1 });
    expect(reason(ack)).toBe(0);
    const row = await stored('res-per-fall', 'nul-1');
    expect(row?.payload).toMatchObject({ text: 'fall detected', location: '\uFFFD' });
    await expect.poll(async () => (await openAlarmsOf('res-per-fall')).map((a) => a.type)).toEqual(['alarm.fall']);
    await expect.poll(() => fb.find((f) => f.code === 'TRYGG_ERR_EVENT_DATA')?.eventId).toBe('nul-1');
    expect(disconnects).toEqual([]);
    c.end();
  });

  const minuteAgo = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
  it.each([
    // A time near now: stored as the instant it names.
    ['an RFC 9557 zone suffix', `${minuteAgo.toISOString().slice(0, 19)}Z[Europe/Oslo]`, minuteAgo.toISOString()],
    // Far from now as well: stored with Trygg's receive time.
    ['a leap second', '2026-12-31T23:59:60Z', null],
  ])('reads %s, keeps the device text, and the alarm queued behind it gets through', async (_w, ts, instant) => {
    const { c, disconnects } = await device('res-kari-button');
    const id = `ts-${randomUUID().slice(0, 8)}`;
    const behind = `ok-${randomUUID().slice(0, 8)}`;
    const [first, second] = await Promise.all([
      c.publishAsync('trygg/v1/devices/res-kari-button/events', JSON.stringify({ id, type: 'alarm.button', ts }), { qos: 1 }),
      c.publishAsync(
        'trygg/v1/devices/res-kari-button/events',
        JSON.stringify({ id: behind, type: 'alarm.button', ts: new Date().toISOString() }),
        { qos: 1 },
      ),
    ]);
    expect([reason(first), reason(second)]).toEqual([0, 0]);
    const row = await stored('res-kari-button', id);
    expect(row?.payload.deviceTs).toBe(ts);
    if (instant) expect(row?.ts.toISOString()).toBe(instant);
    else expect(Math.abs((row?.ts.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);
    expect(await stored('res-kari-button', behind)).toBeDefined();
    expect(disconnects).toEqual([]);
    c.end();
  });

  it('stores an alarm whose time names no instant with the receive time, and says why', async () => {
    const { c, fb } = await device('res-astrid-button');
    await c.publishAsync(
      'trygg/v1/devices/res-astrid-button/events',
      JSON.stringify({ id: 'bad-ts', type: 'alarm.button', ts: 'yesterday' }),
      {
        qos: 1,
      },
    );
    const row = await stored('res-astrid-button', 'bad-ts');
    expect(row?.payload.deviceTs).toBe('yesterday');
    expect(Math.abs((row?.ts.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);
    await expect.poll(() => fb.find((f) => f.code === 'TRYGG_ERR_DEVICE_TIME')?.eventId).toBe('bad-ts');
    c.end();
  });

  it('the store refuses only the one bad event of a shared batch, as the device fault, and commits its neighbours', async () => {
    const inbox = new Inbox(svc.trygg.pool, svc.trygg.engine, pino({ level: 'silent' }));
    const ts = new Date().toISOString();
    // Past the gateway's cleaning on purpose: what if some other value were refused?
    const bad: DeviceEvent = { id: 'raw-nul', type: 'alarm.button', ts, text: 'a\u0000b' };
    const results = await Promise.allSettled([
      inbox.accept('rom-101-bed', { id: 'nb-1', type: 'alarm.bed-exit', ts }),
      inbox.accept('rom-102-bed', bad),
      inbox.accept('rom-103-bed', { id: 'nb-2', type: 'alarm.bed-exit', ts }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const why = (results[1] as PromiseRejectedResult).reason as unknown;
    expect(why).toBeInstanceOf(TryggError);
    expect((why as TryggError).code).toBe('TRYGG_ERR_EVENT_DATA');
    expect((why as TryggError).message).not.toMatch(/unicode|escape/i); // the database's words stay in the log
    expect(await stored('rom-101-bed', 'nb-1')).toBeDefined();
    expect(await stored('rom-103-bed', 'nb-2')).toBeDefined();
    expect(await stored('rom-102-bed', 'raw-nul')).toBeUndefined();
  });
});

describe('an event id used again', () => {
  it('for other content is acknowledged, answered on feedback, logged and counted; the alarm it would cancel stays', async () => {
    const { c, fb } = await device('rom-104-cord');
    const ts = new Date().toISOString();
    await c.publishAsync('trygg/v1/devices/rom-104-cord/events', JSON.stringify({ id: 'e-1', type: 'alarm.pull-cord', ts }), {
      qos: 1,
    });
    await expect.poll(async () => (await openAlarmsOf('rom-104-cord')).length).toBe(1);
    // A true resend (the same bytes) is a duplicate, nothing more.
    await c.publishAsync('trygg/v1/devices/rom-104-cord/events', JSON.stringify({ id: 'e-1', type: 'alarm.pull-cord', ts }), {
      qos: 1,
    });
    // The device's counter restarted: its cancel carries the old id.
    const ack = await c.publishAsync(
      'trygg/v1/devices/rom-104-cord/events',
      JSON.stringify({ id: 'e-1', type: 'cancel', ts: new Date(Date.now() + 1000).toISOString() }),
      { qos: 1 },
    );
    expect(reason(ack)).toBe(0);
    await expect.poll(() => fb.filter((f) => f.code === 'TRYGG_ERR_EVENT_ID_REUSED').map((f) => f.eventId)).toEqual(['e-1']);
    expect(svc.logs.some((l) => l.code === 'TRYGG_ERR_EVENT_ID_REUSED' && l.deviceId === 'rom-104-cord')).toBe(true);
    expect((await openAlarmsOf('rom-104-cord')).length).toBe(1);
    const metrics = await fetch(`${svc.httpUrl}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/outcome="reused"\} 1/);
    c.end();
  });
});
