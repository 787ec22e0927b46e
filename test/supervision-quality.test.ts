/**
 * Supervision quality per device and the monthly user test (docs/supervision.md), through the
 * API with its roles. Heartbeat rows with known gaps (10-minute interval: 3 hours missing within
 * the last day, 2 days missing ten days ago) give known shares and longest silences; the flaky
 * list holds that device and not a steady one; a button never tested for 40 days is overdue until
 * the operator marks the resident's press as the user test. Runs on plain PostgreSQL and, with
 * TRYGG_TEST_PG pointing at one, on TimescaleDB (../shared/timescaledb).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlakyList, SupervisionQuality, UserTestsDue } from '@trygg/alarm-core';
import { startTestService, type TestService } from './support/service.js';

let svc: TestService;
let pool: pg.Pool;

/** Heartbeats every 10 minutes for 40 days back from now, mid-slot, without the rows `skip` names. */
async function heartbeats(deviceId: string, skip: string): Promise<void> {
  await pool.query(
    `INSERT INTO devices (id, kind, serial, protocol, status, heartbeat_interval_s, resident_id, last_seen_at)
     VALUES ($1, 'alarm-button', 'SN-' || $1, 'mqtt', 'active', 600, 'res-per', now() - interval '300 seconds')`,
    [deviceId],
  );
  await pool.query(
    `INSERT INTO device_events (device_id, event_id, type, ts, received_at, payload, processed_at)
     SELECT $1, 'hb-' || k, 'heartbeat', t, t, '{}'::jsonb, t
       FROM generate_series(0, 40 * 144 - 1) AS k, LATERAL (SELECT now() - make_interval(secs => 300 + k * 600) AS t) x
      WHERE NOT (${skip})`,
    [deviceId],
  );
}

beforeAll(async () => {
  svc = await startTestService();
  pool = new pg.Pool({ connectionString: svc.db.url, max: 2 });
  // 3 hours 7 to 10 hours ago (18 slots), and 2 days 10 to 12 days ago (288 slots).
  await heartbeats('q-gappy', 'k BETWEEN 42 AND 59 OR k BETWEEN 1440 AND 1727');
  await heartbeats('q-steady', 'false');
});
afterAll(async () => {
  await pool.end();
  await svc.stop();
});

describe('supervision quality', () => {
  it('gives the share of heartbeat slots heard and the longest silence over 24 hours and 30 days', async () => {
    const { token } = await svc.login('tech');
    const res = await svc.api<SupervisionQuality>('GET', '/api/devices/q-gappy/supervision', token);
    expect(res.status).toBe(200);
    expect(res.body.day).toEqual({ expected: 144, heard: 126, share: 126 / 144, longestSilenceS: 19 * 600 });
    expect(res.body.month).toEqual({ expected: 4320, heard: 4014, share: 4014 / 4320, longestSilenceS: 289 * 600 });

    const steady = await svc.api<SupervisionQuality>('GET', '/api/devices/q-steady/supervision', token);
    expect(steady.body.day.share).toBe(1);
    expect(steady.body.month.share).toBe(1);
    expect(steady.body.month.longestSilenceS).toBeLessThanOrEqual(600);
  });

  it('does not hold a new device against the days before it was first heard from', async () => {
    await pool.query(
      `INSERT INTO devices (id, kind, serial, protocol, status, heartbeat_interval_s, resident_id, last_seen_at)
       VALUES ('q-new', 'alarm-button', 'SN-q-new', 'mqtt', 'active', 600, 'res-per', now())`,
    );
    await pool.query(
      `INSERT INTO device_events (device_id, event_id, type, ts, received_at, payload, processed_at)
       SELECT 'q-new', 'hb-' || k, 'heartbeat', t, t, '{}'::jsonb, t
         FROM generate_series(0, 11) AS k, LATERAL (SELECT now() - make_interval(secs => 300 + k * 600) AS t) x`,
    );
    const { token } = await svc.login('tech');
    const res = await svc.api<SupervisionQuality>('GET', '/api/devices/q-new/supervision', token);
    expect(res.body.day).toMatchObject({ expected: 11, heard: 11, share: 1 });
    expect(res.body.month).toMatchObject({ expected: 11, heard: 11, share: 1 });
  });

  it('lists the flaky devices for technicians, worst first, and only for the roles that may see them', async () => {
    const { token } = await svc.login('tech');
    const res = await svc.api<FlakyList>('GET', '/api/supervision/flaky', token);
    expect(res.status).toBe(200);
    expect(res.body.threshold).toBe(0.9);
    expect(res.body.devices.map((d) => d.deviceId)).toEqual(['q-gappy']);
    // A stricter threshold catches the 2-day gap of the month too; a looser one nothing.
    const loose = await svc.api<FlakyList>('GET', '/api/supervision/flaky?below=0.8', token);
    expect(loose.body.devices).toEqual([]);

    for (const who of ['staff1', 'ola']) {
      const other = await svc.api('GET', '/api/supervision/flaky', (await svc.login(who)).token);
      expect(other.status).toBe(403);
    }
    expect((await svc.api('GET', '/api/supervision/flaky', null)).status).toBe(401);
    // Reads naming residents are audited.
    const { rows } = await pool.query(`SELECT 1 FROM audit_events WHERE actor_user_id = 'user-tech' AND entity_type = 'device'`);
    expect(rows.length).toBeGreaterThan(0);
  });
});

describe('the monthly user test', () => {
  it('is overdue after the interval and no longer once the operator marks the press as the user test', async () => {
    await pool.query(`UPDATE installations SET installed_at = now() - interval '40 days' WHERE device_id = 'res-kari-button'`);
    const operator = await svc.login('operator');
    const due = await svc.api<UserTestsDue>('GET', '/api/user-tests/due', operator.token);
    expect(due.status).toBe(200);
    expect(due.body.intervalDays).toBe(31);
    const kari = due.body.devices.find((d) => d.deviceId === 'res-kari-button');
    expect(kari).toMatchObject({ residentId: 'res-kari', lastTestAt: null });
    // Installed this start, the other demo buttons are not due yet.
    expect(due.body.devices.map((d) => d.deviceId)).toEqual(['res-kari-button']);

    // Kari presses with the centre; the operator marks it as her user test (twice: the first stands).
    const alarm = await svc.raiseAlarm('res-kari-button');
    const marked = await svc.api<{ deviceId: string; at: string }>('POST', `/api/alarms/${alarm.id}/user-test`, operator.token);
    expect(marked.status).toBe(201);
    expect(marked.body.deviceId).toBe('res-kari-button');
    expect((await svc.api('POST', `/api/alarms/${alarm.id}/user-test`, operator.token)).status).toBe(201);
    expect(await pool.query(`SELECT 1 FROM user_tests WHERE device_id = 'res-kari-button'`).then((r) => r.rowCount)).toBe(1);
    const after = await svc.api<UserTestsDue>('GET', '/api/user-tests/due', (await svc.login('tech')).token);
    expect(after.body.devices).toEqual([]);

    // A smoke alarm is no user test of an alarm button; a technician may not mark one.
    const smoke = await svc.raiseAlarm('res-kari-smoke', 'alarm.smoke');
    const refused = await svc.api<{ code: string }>('POST', `/api/alarms/${smoke.id}/user-test`, operator.token);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('TRYGG_ERR_USER_TEST_DEVICE');
    expect((await svc.api('POST', `/api/alarms/${alarm.id}/user-test`, (await svc.login('tech')).token)).status).toBe(403);
  });
});

describe("the service's own events", () => {
  it('records the start for technicians and administrators', async () => {
    const res = await svc.api<{ events: { kind: string }[] }>('GET', '/api/service-events', (await svc.login('admin')).token);
    expect(res.status).toBe(200);
    expect(res.body.events.map((e) => e.kind)).toContain('started');
    expect((await svc.api('GET', '/api/service-events', (await svc.login('operator')).token)).status).toBe(403);
  });
});
