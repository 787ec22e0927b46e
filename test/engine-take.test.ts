/**
 * The engine's way in for device events (`take`): stored and applied in one transaction of two
 * round trips, many events per transaction. Against a real PostgreSQL and the real directory.
 */
import type pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlarmEngine, Inbox, createPool, type DeviceEvent, type DeviceFeedback, type LiveUpdate } from '@trygg/alarm-core';
import { SqlDirectory } from '@trygg/devices';
import { createTestDatabase, type TestDatabase } from './support/db.js';

const quiet = pino({ level: 'silent' });
const now = () => new Date().toISOString();

describe('engine take: store and apply in one transaction', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let engine: AlarmEngine;
  let inbox: Inbox;
  const live: LiveUpdate[] = [];
  const feedback: { deviceId: string; feedback: DeviceFeedback }[] = [];

  const startEngine = async () => {
    engine = new AlarmEngine({
      pool,
      directory: new SqlDirectory(pool),
      live: { publish: (u) => live.push(...u) },
      channels: { push: { kind: 'push', send: () => Promise.resolve({ ref: null, state: 'delivered' }) } },
      feedback: { send: (deviceId, fb) => feedback.push({ deviceId, feedback: fb }) },
      logger: quiet,
      sweepIntervalMs: 200,
    });
    await engine.start();
    inbox = new Inbox(pool, engine, quiet);
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = createPool(db.url, 4, 'take-test');
    await pool.query(`INSERT INTO sites (id, kind, name, address) VALUES ('t-home', 'home', 'Home', 'Testveien 1')`);
    await pool.query(`INSERT INTO residents (id, name, site_id) VALUES ('t-res', 'Resident', 't-home')`);
    await pool.query(
      `INSERT INTO relatives (id, resident_id, name, consent_at, consent_by) VALUES ('t-rel', 't-res', 'Relative', now(), 'test')`,
    );
    await pool.query(
      `INSERT INTO devices (id, kind, serial, protocol, secret_hash, status, resident_id, heartbeat_interval_s)
       SELECT 't-' || g, 'alarm-button', 'T-' || g, 'mqtt', 'x', 'active', 't-res', 3600 FROM generate_series(1, 6) g`,
    );
    await startEngine();
  });

  afterAll(async () => {
    await engine.stop();
    await pool.end();
    await db.drop();
  });

  const alarmsOf = async (deviceId: string) =>
    (
      await pool.query<{ state: string; type: string }>(
        'SELECT state, type FROM alarms WHERE device_id = $1 ORDER BY opened_at',
        [deviceId],
      )
    ).rows;

  it('applies a batch in order, each event seeing what the one before left, and stores a copy once', async () => {
    const alarm: DeviceEvent = { id: 'a-1', type: 'alarm.button', ts: now() };
    const results = await engine.take([
      { deviceId: 't-1', event: alarm },
      { deviceId: 't-1', event: alarm }, // the same event twice in one batch
      { deviceId: 't-2', event: { id: 'hb-1', type: 'heartbeat', ts: now() } },
      { deviceId: 't-1', event: { id: 'c-1', type: 'cancel', ts: now() } },
    ]);
    expect(results.map((r) => r.result)).toEqual(['stored', 'duplicate', 'stored', 'stored']);
    // Each applied event says where it left its alarm: opened, then cancelled; none for a heartbeat.
    expect(results.map((r) => r.alarm?.state ?? r.alarm)).toEqual(['open', undefined, null, 'cancelled']);
    expect(await alarmsOf('t-1')).toEqual([{ state: 'cancelled', type: 'alarm.button' }]);
    const { rows } = await pool.query<{ event_id: string; applied: boolean }>(
      `SELECT event_id, processed_at IS NOT NULL AS applied FROM device_events WHERE device_id IN ('t-1', 't-2') ORDER BY event_id`,
    );
    expect(rows).toEqual([
      { event_id: 'a-1', applied: true },
      { event_id: 'c-1', applied: true },
      { event_id: 'hb-1', applied: true },
    ]);
    // The operators saw the alarm open, then cancelled, numbered in that order.
    const kinds = live.filter((u) => u.alarm.subject.deviceId === 't-1').map((u) => u.entry.kind);
    expect(kinds[0]).toBe('opened');
    expect(kinds.at(-1)).toBe('cancelled');
    const seqs = live.map((u) => u.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    // Every fresh event was answered on the device's feedback, the heartbeat too.
    expect(feedback.filter((f) => f.deviceId === 't-2')).toHaveLength(1);
    expect(feedback.filter((f) => f.deviceId === 't-1').length).toBeGreaterThanOrEqual(2);
  });

  it('keeps values exactly as sent: quotes, backslashes and SQL in free text are data', async () => {
    const text = `O'Brien \\ "quoted" '); DROP TABLE devices; -- ÆØÅ æøå 🛟`;
    const event: DeviceEvent = { id: 'a-2', type: 'alarm.fall', ts: now(), location: "bad'room\\1", text };
    expect(await inbox.accept('t-3', event)).toBe('stored');
    const { rows } = await pool.query<{ payload: DeviceEvent }>(`SELECT payload FROM device_events WHERE device_id = 't-3'`);
    expect(rows[0]?.payload).toEqual(event);
    expect((await pool.query('SELECT count(*)::int AS n FROM devices')).rows[0]).toEqual({ n: 6 });
    expect(await alarmsOf('t-3')).toEqual([{ state: 'open', type: 'alarm.fall' }]);
  });

  it('a resend of an event stored but never applied (a crash between) is applied once', async () => {
    const event: DeviceEvent = { id: 'a-3', type: 'alarm.button', ts: now() };
    await pool.query(`INSERT INTO device_events (device_id, event_id, type, ts, payload) VALUES ('t-4', $1, $2, $3, $4)`, [
      event.id,
      event.type,
      event.ts,
      event,
    ]);
    expect(await inbox.accept('t-4', event)).toBe('duplicate');
    await expect.poll(() => alarmsOf('t-4')).toEqual([{ state: 'open', type: 'alarm.button' }]);
    expect(await inbox.accept('t-4', event)).toBe('duplicate');
    expect(await alarmsOf('t-4')).toHaveLength(1);
  });

  it('with the engine stopped, an event is still stored, and applied when it starts again', async () => {
    await engine.stop();
    const event: DeviceEvent = { id: 'a-4', type: 'alarm.button', ts: now() };
    expect(await inbox.accept('t-5', event)).toBe('stored');
    const stored = await pool.query<{ applied: boolean }>(
      `SELECT processed_at IS NOT NULL AS applied FROM device_events WHERE device_id = 't-5'`,
    );
    expect(stored.rows).toEqual([{ applied: false }]);
    expect(await alarmsOf('t-5')).toEqual([]);
    await startEngine();
    await expect.poll(() => alarmsOf('t-5')).toEqual([{ state: 'open', type: 'alarm.button' }]);
  });

  it('a failing batch leaves nothing behind: an event for an unknown device rolls back its neighbours', async () => {
    await expect(
      engine.take([
        { deviceId: 't-6', event: { id: 'a-5', type: 'alarm.button', ts: now() } },
        { deviceId: 'no-such-device', event: { id: 'a-6', type: 'alarm.button', ts: now() } },
      ]),
    ).rejects.toThrow();
    expect(await alarmsOf('t-6')).toEqual([]);
    expect((await pool.query(`SELECT count(*)::int AS n FROM device_events WHERE device_id = 't-6'`)).rows[0]).toEqual({ n: 0 });
  });
});
