/**
 * QoS 0 telemetry goes through connections that commit without waiting for the WAL flush; QoS 1
 * through durable ones. Both store every sample, once. QoS 0 samples linger for company: a
 * trickle of them costs one transaction per RELAXED_LINGER_MS, not one each.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '@trygg/alarm-core';
import { RELAXED_LINGER_MS, TelemetryWriter } from '@trygg/gateway';
import { createTestDatabase, type TestDatabase } from './support/db.js';

describe('telemetry writer: relaxed commits for QoS 0', () => {
  let db: TestDatabase;
  let durable: pg.Pool;
  let relaxed: pg.Pool;

  beforeAll(async () => {
    db = await createTestDatabase();
    durable = createPool(db.url, 2, 'telemetry-durable');
    relaxed = createPool(db.url, 2, 'telemetry-relaxed', { relaxedCommit: true });
    await durable.query(`INSERT INTO sites (id, kind, name, address) VALUES ('tr-home', 'home', 'Home', 'Testveien 1')`);
    await durable.query(
      `INSERT INTO devices (id, kind, serial, protocol, secret_hash, status, site_id) VALUES ('tr-1', 'smoke-detector', 'TR-1', 'mqtt', 'x', 'active', 'tr-home')`,
    );
  });

  afterAll(async () => {
    await Promise.all([durable.end(), relaxed.end()]);
    await db.drop();
  });

  it('relaxed connections commit asynchronously, the durable ones do not', async () => {
    expect((await relaxed.query('SHOW synchronous_commit')).rows[0]).toEqual({ synchronous_commit: 'off' });
    expect((await durable.query('SHOW synchronous_commit')).rows[0]).toEqual({ synchronous_commit: 'on' });
  });

  it('stores QoS 0 and QoS 1 samples alike, and a resend once', async () => {
    const writer = new TelemetryWriter(durable, { relaxed });
    const ts = (s: number) => new Date(Date.UTC(2026, 10, 1, 0, 0, s)).toISOString();
    const written = await Promise.all([
      writer.write('tr-1', { ts: ts(1), battery: 90, rssi: -70 }, { durable: false }),
      writer.write('tr-1', { ts: ts(2), battery: 89 }),
      writer.write('tr-1', { ts: ts(1), battery: 90, rssi: -70 }, { durable: false }), // a resend
    ]);
    expect(written).toEqual([2, 1, 2]);
    const { rows } = await durable.query<{ n: number }>(`SELECT count(*)::int AS n FROM telemetry WHERE device_id = 'tr-1'`);
    expect(rows[0]?.n).toBe(3);
  });

  it('QoS 0 samples arriving over a linger share one transaction; flush writes them at once', async () => {
    expect(RELAXED_LINGER_MS).toBeGreaterThan(0);
    const writes: number[] = [];
    // A linger longer than the test: only flush() can write them.
    const writer = new TelemetryWriter(durable, { relaxed, relaxedLingerMs: 600_000, onWrite: (items) => writes.push(items) });
    const ts = (s: number) => new Date(Date.UTC(2026, 10, 2, 0, 0, s)).toISOString();
    const stored: number[] = [];
    for (let i = 0; i < 5; i++) {
      void writer.write('tr-1', { ts: ts(i), battery: 80 }, { durable: false }).then((n) => stored.push(n));
      await new Promise((r) => setImmediate(r)); // a trickle: each in its own tick
    }
    const qos1 = await writer.write('tr-1', { ts: ts(9), battery: 79 }); // durable: never lingers
    expect(qos1).toBe(1);
    expect(stored).toEqual([]);
    await writer.flush();
    expect(stored).toEqual([1, 1, 1, 1, 1]);
    expect(writes.sort()).toEqual([1, 5]);
    const { rows } = await durable.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM telemetry WHERE device_id = 'tr-1' AND time >= '2026-11-02'`,
    );
    expect(rows[0]?.n).toBe(6);
  });
});
