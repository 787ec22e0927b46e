/**
 * Telemetry end to end: samples from real MQTT clients stored in batches (a resend stored once),
 * and the series API — bucketing, metric filter, a resident's devices together — with its role
 * check and audit trail. Also the retention on plain PostgreSQL, and /metrics' guard.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyTelemetryRetention } from '@trygg/gateway';
import { startTestService, type TestService } from './support/service.js';

interface Series {
  deviceIds: string[];
  bucketS: number;
  points: { t: string; deviceId: string; metric: string; avg: number; min: number; max: number; count: number }[];
}

let svc: TestService;
let db: pg.Pool;
const base = Date.UTC(2026, 10, 20, 10, 0, 0); // a whole hour, yesterday-ish
beforeAll(async () => {
  svc = await startTestService({ config: { deviceMaxClockSkewS: 30 * 24 * 3600 } });
  db = new pg.Pool({ connectionString: svc.db.url, max: 2 });
});
afterAll(async () => {
  await db?.end();
  await svc?.stop();
});

describe('telemetry', () => {
  it('stores samples from many messages, a resend once, and serves them in buckets', async () => {
    const dev = await svc.device('res-per-fall');
    const topic = 'trygg/v1/devices/res-per-fall/telemetry';
    // Two hours, one sample every 10 minutes: battery falling 100, 99, …; rssi steady.
    const sends = Array.from({ length: 12 }, (_, i) =>
      dev.publishAsync(topic, JSON.stringify({ ts: new Date(base + i * 600_000).toISOString(), battery: 100 - i, rssi: -70 }), {
        qos: 1,
      }),
    );
    await Promise.all(sends);
    await dev.publishAsync(topic, JSON.stringify({ ts: new Date(base).toISOString(), battery: 100, rssi: -70 }), { qos: 1 });
    expect(Number((await db.query('SELECT count(*) AS n FROM telemetry WHERE device_id = $1', ['res-per-fall'])).rows[0].n)).toBe(
      24,
    );

    const { token } = await svc.login('tech');
    const q = `from=${new Date(base).toISOString()}&to=${new Date(base + 2 * 3600_000).toISOString()}&bucket=1h&metric=battery`;
    const res = await svc.api<Series>('GET', `/api/devices/res-per-fall/telemetry/series?${q}`, token);
    expect(res.status).toBe(200);
    expect(res.body.points).toEqual([
      { t: new Date(base).toISOString(), deviceId: 'res-per-fall', metric: 'battery', avg: 97.5, min: 95, max: 100, count: 6 },
      {
        t: new Date(base + 3600_000).toISOString(),
        deviceId: 'res-per-fall',
        metric: 'battery',
        avg: 91.5,
        min: 89,
        max: 94,
        count: 6,
      },
    ]);
    const audit = await db.query(
      `SELECT actor_role, entity_type, entity_id, resident_id, patient_ids FROM audit_events WHERE action = 'telemetry.read'`,
    );
    expect(audit.rows).toEqual([
      {
        actor_role: 'technician',
        entity_type: 'telemetry',
        entity_id: 'res-per-fall',
        resident_id: 'res-per',
        patient_ids: ['res-per'],
      },
    ]);
  });

  it("gives a resident's devices together, and refuses roles that may not read it", async () => {
    const button = await svc.device('res-per-button');
    await button.publishAsync(
      'trygg/v1/devices/res-per-button/telemetry',
      JSON.stringify({ ts: new Date(base + 60_000).toISOString(), battery: 40 }),
      { qos: 1 },
    );
    const { token } = await svc.login('operator');
    const q = `from=${new Date(base).toISOString()}&to=${new Date(base + 3600_000).toISOString()}&bucket=30m&metric=battery`;
    const res = await svc.api<Series>('GET', `/api/residents/res-per/telemetry?${q}`, token);
    expect(res.status).toBe(200);
    expect(res.body.deviceIds).toEqual(['res-per-button', 'res-per-fall']);
    expect(res.body.points.map((p) => [p.deviceId, p.t.slice(11, 16), p.count])).toEqual([
      ['res-per-button', '10:00', 1],
      ['res-per-fall', '10:00', 3],
      ['res-per-fall', '10:30', 3],
    ]);
    const relative = await svc.login('ola');
    expect((await svc.api('GET', `/api/residents/res-kari/telemetry`, relative.token)).status).toBe(403);
    expect((await svc.api('GET', `/api/residents/nobody/telemetry`, token)).status).toBe(404);
    expect(
      (await svc.api('GET', `/api/devices/res-per-fall/telemetry/series?bucket=1s&from=2020-01-01T00:00:00Z`, token)).status,
    ).toBe(400);
    expect((await svc.api('GET', `/api/devices/res-per-fall/telemetry/series`, null)).status).toBe(401);
  });

  it('prunes by the retention on plain PostgreSQL', async () => {
    await db.query(
      `INSERT INTO telemetry (time, device_id, metric, value) VALUES (now() - interval '3 years', 'res-per-fall', 'battery', 1)`,
    );
    expect(await applyTelemetryRetention(db, 2 * 365 * 86400, false)).toBe(1);
  });

  it('serves /metrics to this machine, with the gateway figures', async () => {
    const text = await (await fetch(`${svc.httpUrl}/metrics`)).text();
    expect(text).toMatch(/^trygg_mqtt_connected_devices \d+/m);
    expect(text).toMatch(/^trygg_telemetry_rows_total 25$/m);
    expect(text).toMatch(/^trygg_ack_latency_seconds_count\{channel="telemetry"\} \d+/m);
  });
});
