/**
 * Devices: registration (credentials issued once), the list with each device's last heartbeat,
 * battery and signal and whether it needs a technician, re-issue and revoke of credentials,
 * and status changes (faulty, returned). Installing and testing are in installations.ts.
 */
import { SELFTEST_KIND } from './selftest-devices.js';
import type { Device, DeviceCredentials, DeviceInput, DeviceStatus, DeviceUpdate, Queryable } from '@trygg/alarm-core';
import { TryggError } from '@trygg/alarm-core';
import { issueCredentials } from './credentials.js';
import { guarded } from './db-errors.js';
import { iso, newId } from './ids.js';

/** Thresholds for "needs attention". */
export const BATTERY_LOW = 20;
export const SIGNAL_WEAK_DBM = -100;

interface Row {
  id: string;
  serial: string;
  kind: string;
  protocol: Device['protocol'];
  vendor: string | null;
  model: string | null;
  firmware: string | null;
  heartbeat_interval_s: number;
  status: DeviceStatus;
  resident_id: string | null;
  site_id: string | null;
  last_seen_at: Date | null;
  battery: number | null;
  rssi: number | null;
  attention: Device['attention'];
}

const toDevice = (r: Row): Device => ({
  id: r.id,
  serial: r.serial,
  kind: r.kind,
  protocol: r.protocol,
  vendor: r.vendor,
  model: r.model,
  firmware: r.firmware,
  heartbeatIntervalS: r.heartbeat_interval_s,
  status: r.status,
  residentId: r.resident_id,
  siteId: r.site_id,
  lastSeenAt: iso(r.last_seen_at),
  battery: r.battery,
  rssi: r.rssi,
  attention: r.attention,
});

const SELECT = `
  SELECT d.id, d.serial, d.kind, d.protocol, d.vendor, d.model, d.firmware, d.heartbeat_interval_s, d.status,
         d.resident_id, d.site_id, d.last_seen_at, b.value AS battery, s.value AS rssi,
         CASE
           WHEN d.status = 'faulty' THEN 'faulty'
           WHEN d.status IN ('installed', 'active') AND d.last_seen_at IS NULL THEN 'never-heard'
           WHEN d.status IN ('installed', 'active')
                AND d.last_seen_at < now() - make_interval(secs => 2 * d.heartbeat_interval_s + 60) THEN 'silent'
           WHEN d.status = 'installed' THEN 'untested'
           WHEN d.status = 'active' AND b.value < ${BATTERY_LOW} THEN 'battery-low'
           WHEN d.status = 'active' AND s.value < ${SIGNAL_WEAK_DBM} THEN 'weak-signal'
         END AS attention
    FROM devices d
    LEFT JOIN LATERAL (SELECT value FROM telemetry WHERE device_id = d.id AND metric = 'battery' ORDER BY time DESC LIMIT 1) b ON true
    LEFT JOIN LATERAL (SELECT value FROM telemetry WHERE device_id = d.id AND metric = 'rssi' ORDER BY time DESC LIMIT 1) s ON true`;

/** Registers a device in stock and issues its credentials (returned once, stored hashed). */
export async function registerDevice(
  db: Queryable,
  input: DeviceInput,
  opts: { sipRealm?: string } = {},
): Promise<{ device: Device; credentials: DeviceCredentials }> {
  const id = input.id ?? newId('dev');
  const { rows: taken } = await db.query('SELECT 1 FROM devices WHERE serial = $1', [input.serial]);
  if (taken.length > 0) throw new TryggError('TRYGG_ERR_SERIAL_TAKEN', `serial ${input.serial} is already registered`);
  const issued = await issueCredentials(id, input.protocol, opts.sipRealm);
  await guarded(() =>
    db.query(
      `INSERT INTO devices (id, kind, vendor, model, serial, protocol, firmware, heartbeat_interval_s, secret_hash, sip_ha1,
                            sip_username, sip_realm, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'in_stock')`,
      [
        id,
        input.kind,
        input.vendor ?? null,
        input.model ?? null,
        input.serial,
        input.protocol,
        input.firmware ?? null,
        input.heartbeatIntervalS ?? 900,
        issued.secretHash,
        issued.sipHa1,
        issued.sipUsername,
        issued.sipRealm,
      ],
    ),
  );
  return { device: await getDevice(db, id), credentials: issued.credentials };
}

export async function getDevice(db: Queryable, id: string): Promise<Device> {
  const { rows } = await db.query<Row>(`${SELECT} WHERE d.id = $1`, [id]);
  const row = rows[0];
  if (!row) throw new TryggError('TRYGG_ERR_DEVICE_UNKNOWN', `no device ${id}`);
  return toDevice(row);
}

export async function findDeviceBySerial(db: Queryable, serial: string): Promise<Device | null> {
  const { rows } = await db.query<Row>(`${SELECT} WHERE d.serial = $1`, [serial]);
  return rows[0] ? toDevice(rows[0]) : null;
}

/** Whose a device is: its resident's id (null: a room's, or in stock), or null when there is no such device. */
export async function deviceOwner(db: Queryable, id: string): Promise<{ residentId: string | null } | null> {
  const { rows } = await db.query<{ resident_id: string | null }>('SELECT resident_id FROM devices WHERE id = $1', [id]);
  const row = rows[0];
  return row ? { residentId: row.resident_id } : null;
}

/** The ids of a resident's devices (perhaps none), or null when there is no such resident. */
export async function residentDeviceIds(db: Queryable, residentId: string): Promise<string[] | null> {
  const { rows } = await db.query<{ id: string | null }>(
    'SELECT d.id FROM residents r LEFT JOIN devices d ON d.resident_id = r.id WHERE r.id = $1 ORDER BY d.id',
    [residentId],
  );
  if (rows.length === 0) return null;
  return rows.flatMap((r) => (r.id ? [r.id] : []));
}

export interface DeviceFilter {
  status?: DeviceStatus;
  residentId?: string;
  /** Only devices that need a technician, worst first. */
  attention?: boolean;
  limit?: number;
}

/** The registry's devices (not `trygg-system`, Trygg itself as the subject of its own incidents). */
export async function listDevices(db: Queryable, f: DeviceFilter = {}): Promise<Device[]> {
  const { rows } = await db.query<Row>(
    `SELECT * FROM (${SELECT}
       WHERE ($1::text IS NULL OR d.status = $1) AND ($2::text IS NULL OR d.resident_id = $2)
         AND d.kind <> '${SELFTEST_KIND}'
         AND d.kind <> 'system') x
      WHERE NOT $3 OR attention IS NOT NULL
      ORDER BY CASE WHEN $3 THEN array_position(ARRAY['faulty','silent','never-heard','untested','battery-low','weak-signal'], attention) END,
               id
      LIMIT $4`,
    [f.status ?? null, f.residentId ?? null, f.attention === true, f.limit ?? 500],
  );
  return rows.map(toDevice);
}

/** New credentials; the old ones stop working at once (the gateway checks the stored hash). */
export async function reissueCredentials(
  db: Queryable,
  id: string,
  opts: { sipRealm?: string } = {},
): Promise<DeviceCredentials> {
  const dev = await getDevice(db, id);
  if (dev.status === 'returned') throw new TryggError('TRYGG_ERR_DEVICE_STATE', `device ${id} is returned`);
  const issued = await issueCredentials(id, dev.protocol, opts.sipRealm);
  await db.query(
    `UPDATE devices SET secret_hash = $2, sip_ha1 = $3, sip_username = $4, sip_realm = $5, revoked_at = NULL, updated_at = now()
      WHERE id = $1`,
    [id, issued.secretHash, issued.sipHa1, issued.sipUsername, issued.sipRealm],
  );
  return issued.credentials;
}

/** Revokes the credentials: the device can no longer connect until they are re-issued. */
export async function revokeCredentials(db: Queryable, id: string): Promise<Device> {
  const { rowCount } = await db.query(
    'UPDATE devices SET secret_hash = NULL, sip_ha1 = NULL, revoked_at = now(), updated_at = now() WHERE id = $1',
    [id],
  );
  if (rowCount !== 1) throw new TryggError('TRYGG_ERR_DEVICE_UNKNOWN', `no device ${id}`);
  return getDevice(db, id);
}

/** Marks a device faulty (it stays at its place until swapped) or returned (its installation ends). */
export async function setDeviceStatus(pool: Queryable, id: string, status: 'faulty' | 'returned' | 'in_stock'): Promise<Device> {
  const allowed: Record<typeof status, DeviceStatus[]> = {
    faulty: ['installed', 'active'],
    returned: ['in_stock', 'installed', 'active', 'faulty'],
    in_stock: ['returned'],
  };
  const { rows } = await pool.query<{ status: DeviceStatus }>(
    `WITH cur AS (SELECT status FROM devices WHERE id = $1 FOR UPDATE),
          upd AS (UPDATE devices SET status = $2, updated_at = now(),
                         resident_id = CASE WHEN $2 = 'faulty' THEN resident_id END,
                         site_id = CASE WHEN $2 = 'faulty' THEN site_id END
                   WHERE id = $1 AND status = ANY ($3::text[]) RETURNING id),
          ended AS (UPDATE installations SET ended_at = now(), end_reason = 'removed'
                     WHERE device_id = $1 AND ended_at IS NULL AND $2 = 'returned' AND EXISTS (SELECT 1 FROM upd))
     SELECT status, EXISTS (SELECT 1 FROM upd) AS changed FROM cur`,
    [id, status, allowed[status]],
  );
  const row = rows[0] as { status: DeviceStatus; changed: boolean } | undefined;
  if (!row) throw new TryggError('TRYGG_ERR_DEVICE_UNKNOWN', `no device ${id}`);
  if (!row.changed) throw new TryggError('TRYGG_ERR_DEVICE_STATE', `a ${row.status} device cannot become ${status}`);
  return getDevice(pool, id);
}

/** Changes a device's details; only the fields given change. */
export async function updateDevice(db: Queryable, id: string, change: DeviceUpdate): Promise<Device> {
  const { rowCount } = await db.query(
    `UPDATE devices SET vendor = CASE WHEN $2 THEN $3 ELSE vendor END, model = CASE WHEN $4 THEN $5 ELSE model END,
            firmware = CASE WHEN $6 THEN $7 ELSE firmware END, heartbeat_interval_s = coalesce($8, heartbeat_interval_s),
            updated_at = now()
      WHERE id = $1`,
    [
      id,
      change.vendor !== undefined,
      change.vendor ?? null,
      change.model !== undefined,
      change.model ?? null,
      change.firmware !== undefined,
      change.firmware ?? null,
      change.heartbeatIntervalS ?? null,
    ],
  );
  if (rowCount !== 1) throw new TryggError('TRYGG_ERR_DEVICE_UNKNOWN', `no device ${id}`);
  return getDevice(db, id);
}
