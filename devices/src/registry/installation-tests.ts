/**
 * Verified installation: the technician starts a test, the device sends a `test` event (MQTT
 * `test`, SCAIP stc=0102, both land in the inbox as type `test`) within the deadline, and the
 * test passes with the time it took and the battery and signal at that moment (from the event
 * itself, else the latest telemetry before it). A device becomes `active` only by a passed test.
 * Settling is one idempotent statement over the inbox, so it is safe on many nodes and after a
 * crash: the watcher runs it on every test notice and on a timer for the deadlines.
 */
import type { DeviceStatus, InstallationTest, Pool } from '@trygg/alarm-core';
import { TryggError, withTransaction } from '@trygg/alarm-core';
import { guarded } from './db-errors.js';
import { iso, newId } from './ids.js';

/** How long a device has to send its test event. */
export const TEST_WINDOW_S = 600;

interface Row {
  id: string;
  installation_id: string;
  device_id: string;
  status: InstallationTest['status'];
  started_at: Date;
  deadline: Date;
  finished_at: Date | null;
  duration_ms: number | null;
  battery: number | null;
  rssi: number | null;
  device_status: DeviceStatus;
}
const toTest = (r: Row): InstallationTest => ({
  id: r.id,
  installationId: r.installation_id,
  deviceId: r.device_id,
  status: r.status,
  startedAt: r.started_at.toISOString(),
  deadline: r.deadline.toISOString(),
  finishedAt: iso(r.finished_at),
  durationMs: r.duration_ms,
  battery: r.battery,
  rssi: r.rssi,
  deviceStatus: r.device_status,
});

const WITH_DEVICE = `SELECT t.*, d.status AS device_status FROM installation_tests t JOIN devices d ON d.id = t.device_id`;

/** Starts a test of an installed (or active) device's current installation. */
export async function startTest(
  pool: Pool,
  deviceId: string,
  by: string | null,
  windowS = TEST_WINDOW_S,
): Promise<InstallationTest> {
  const id = await guarded(() =>
    withTransaction(pool, async (db) => {
      const { rows } = await db.query<{ status: DeviceStatus; installation_id: string | null }>(
        `SELECT d.status, i.id AS installation_id FROM devices d
           LEFT JOIN installations i ON i.device_id = d.id AND i.ended_at IS NULL
          WHERE d.id = $1 FOR UPDATE OF d`,
        [deviceId],
      );
      const dev = rows[0];
      if (!dev) throw new TryggError('TRYGG_ERR_DEVICE_UNKNOWN', `no device ${deviceId}`);
      if (!dev.installation_id || (dev.status !== 'installed' && dev.status !== 'active')) {
        throw new TryggError('TRYGG_ERR_DEVICE_STATE', `device ${deviceId} is ${dev.status}; install it before testing`);
      }
      const testId = newId('test');
      await db.query(
        `INSERT INTO installation_tests (id, installation_id, device_id, started_by, deadline)
         VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))`,
        [testId, dev.installation_id, deviceId, by, windowS],
      );
      return testId;
    }),
  );
  return getTest(pool, id);
}

export async function getTest(pool: Pool, id: string): Promise<InstallationTest> {
  const { rows } = await pool.query<Row>(`${WITH_DEVICE} WHERE t.id = $1`, [id]);
  const row = rows[0];
  if (!row) throw new TryggError('TRYGG_ERR_NOT_FOUND', `no test ${id}`);
  return toTest(row);
}

export async function listTests(pool: Pool, deviceId: string): Promise<InstallationTest[]> {
  const { rows } = await pool.query<Row>(`${WITH_DEVICE} WHERE t.device_id = $1 ORDER BY t.started_at DESC LIMIT 50`, [deviceId]);
  return rows.map(toTest);
}

/**
 * Passes every running test whose device has sent a test event since it started, fails every
 * one past its deadline, and activates the devices that passed. Returns what it settled.
 */
export async function settleTests(pool: Pool): Promise<InstallationTest[]> {
  const settled = await withTransaction(pool, async (db) => {
    const { rows } = await db.query<{ id: string; device_id: string; status: string }>(
      `WITH cand AS (
         SELECT t.id, ev.event_id, ev.received_at, ev.payload
           FROM installation_tests t
           LEFT JOIN LATERAL (
             SELECT e.event_id, e.received_at, e.payload FROM device_events e
              WHERE e.device_id = t.device_id AND e.type = 'test' AND e.received_at >= t.started_at AND e.received_at <= t.deadline
              ORDER BY e.received_at LIMIT 1) ev ON true
          WHERE t.status = 'running' AND (ev.event_id IS NOT NULL OR t.deadline < now())
          FOR UPDATE OF t SKIP LOCKED)
       UPDATE installation_tests t
          SET status = CASE WHEN c.event_id IS NULL THEN 'failed' ELSE 'passed' END,
              finished_at = coalesce(c.received_at, t.deadline),
              duration_ms = CASE WHEN c.event_id IS NOT NULL THEN (extract(epoch FROM c.received_at - t.started_at) * 1000)::integer END,
              event_id = c.event_id,
              battery = CASE WHEN c.event_id IS NOT NULL THEN coalesce((c.payload ->> 'battery')::float8,
                (SELECT value FROM telemetry WHERE device_id = t.device_id AND metric = 'battery' AND time <= c.received_at ORDER BY time DESC LIMIT 1)) END,
              rssi = CASE WHEN c.event_id IS NOT NULL THEN coalesce((c.payload ->> 'rssi')::float8,
                (SELECT value FROM telemetry WHERE device_id = t.device_id AND metric = 'rssi' AND time <= c.received_at ORDER BY time DESC LIMIT 1)) END
         FROM cand c WHERE t.id = c.id
       RETURNING t.id, t.device_id, t.status`,
    );
    const passed = rows.filter((r) => r.status === 'passed').map((r) => r.device_id);
    if (passed.length > 0) {
      await db.query(`UPDATE devices SET status = 'active', updated_at = now() WHERE id = ANY ($1) AND status = 'installed'`, [
        passed,
      ]);
    }
    return rows.map((r) => r.id);
  });
  if (settled.length === 0) return [];
  const { rows } = await pool.query<Row>(`${WITH_DEVICE} WHERE t.id = ANY ($1)`, [settled]);
  return rows.map(toTest);
}
