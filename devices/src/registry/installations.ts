/**
 * Installations: a device placed at a resident (at home) and / or in a room, by whom, when and
 * where in the home, with its settings. The device row mirrors its current place (resident_id,
 * site_id), which is what the directory and the engine read. A swap ends the faulty device's
 * installation and starts the same one (place, location, settings) for the new device.
 */
import type { Installation, InstallationInput, Pool, Queryable } from '@trygg/alarm-core';
import { TryggError, withTransaction } from '@trygg/alarm-core';
import { guarded } from './db-errors.js';
import { iso, newId } from './ids.js';

interface Row {
  id: string;
  device_id: string;
  resident_id: string | null;
  site_id: string | null;
  location: string | null;
  settings: Installation['settings'];
  installed_by: string | null;
  installed_at: Date;
  ended_at: Date | null;
  replaces_id: string | null;
}
const toInstallation = (r: Row): Installation => ({
  id: r.id,
  deviceId: r.device_id,
  residentId: r.resident_id,
  siteId: r.site_id,
  location: r.location,
  settings: r.settings,
  installedBy: r.installed_by,
  installedAt: r.installed_at.toISOString(),
  endedAt: iso(r.ended_at),
  replacesId: r.replaces_id,
});

/** Settings a device row carries itself (the rest stay on the installation). */
const heartbeatOf = (settings: Installation['settings']): number | null =>
  typeof settings.heartbeatIntervalS === 'number' ? settings.heartbeatIntervalS : null;

/**
 * Installs a device in stock at a resident and / or a room. With only a resident, the device's
 * site is the resident's; with only a room, the room's resident (if one lives there) is taken.
 */
export async function install(pool: Pool, input: InstallationInput, by: string | null): Promise<Installation> {
  return guarded(() => withTransaction(pool, (db) => installInTransaction(db, input, by)));
}

/** `install` inside the caller's transaction (the CSV import installs many at once). */
export async function installInTransaction(db: Queryable, input: InstallationInput, by: string | null): Promise<Installation> {
  if (!input.residentId && !input.siteId) throw new TryggError('TRYGG_ERR_VALIDATION', 'install at a resident, a room, or both');
  const { rows: devs } = await db.query<{ status: string }>('SELECT status FROM devices WHERE id = $1 FOR UPDATE', [
    input.deviceId,
  ]);
  const dev = devs[0];
  if (!dev) throw new TryggError('TRYGG_ERR_DEVICE_UNKNOWN', `no device ${input.deviceId}`);
  if (dev.status !== 'in_stock') {
    throw new TryggError(
      'TRYGG_ERR_DEVICE_STATE',
      `device ${input.deviceId} is ${dev.status}; only a device in stock can be installed`,
    );
  }
  let residentId = input.residentId ?? null;
  const siteId = input.siteId ?? null;
  if (residentId) {
    const { rowCount } = await db.query('SELECT 1 FROM residents WHERE id = $1', [residentId]);
    if (rowCount !== 1) throw new TryggError('TRYGG_ERR_REFERENCE_UNKNOWN', `no resident ${residentId}`);
  }
  if (siteId) {
    const { rows } = await db.query<{ kind: string }>('SELECT kind FROM sites WHERE id = $1', [siteId]);
    const kind = rows[0]?.kind;
    if (!kind) throw new TryggError('TRYGG_ERR_REFERENCE_UNKNOWN', `no site ${siteId}`);
    if (kind !== 'room' && kind !== 'home') {
      throw new TryggError('TRYGG_ERR_VALIDATION', `a device is installed in a home or a room, not a ${kind}`);
    }
    if (!residentId) {
      const { rows: living } = await db.query<{ id: string }>('SELECT id FROM residents WHERE site_id = $1 ORDER BY id LIMIT 2', [
        siteId,
      ]);
      if (living.length === 1) residentId = living[0]?.id ?? null;
    }
  }
  const settings = input.settings ?? {};
  const { rows } = await db.query<Row>(
    `INSERT INTO installations (id, device_id, resident_id, site_id, location, settings, installed_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
    [newId('inst'), input.deviceId, residentId, siteId, input.location ?? null, settings, by],
  );
  await db.query(
    `UPDATE devices SET status = 'installed', resident_id = $2, site_id = $3,
            heartbeat_interval_s = coalesce($4, heartbeat_interval_s), updated_at = now() WHERE id = $1`,
    [input.deviceId, residentId, siteId, heartbeatOf(settings)],
  );
  return toInstallation(rows[0] as Row);
}

/**
 * Replaces a faulty (or failing) device with one from stock: the old installation ends as
 * `swapped` and the old device becomes `faulty`; the new device gets the same resident, room,
 * location and settings and is `installed` (it becomes `active` after its own passed test).
 */
export async function swapDevice(pool: Pool, oldDeviceId: string, newDeviceId: string, by: string | null): Promise<Installation> {
  return guarded(() =>
    withTransaction(pool, async (db) => {
      const { rows: devs } = await db.query<{ id: string; status: string }>(
        'SELECT id, status FROM devices WHERE id = ANY ($1) ORDER BY id FOR UPDATE',
        [[oldDeviceId, newDeviceId]],
      );
      const old = devs.find((d) => d.id === oldDeviceId);
      const fresh = devs.find((d) => d.id === newDeviceId);
      if (!old) throw new TryggError('TRYGG_ERR_DEVICE_UNKNOWN', `no device ${oldDeviceId}`);
      if (!fresh) throw new TryggError('TRYGG_ERR_DEVICE_UNKNOWN', `no device ${newDeviceId}`);
      if (fresh.status !== 'in_stock')
        throw new TryggError('TRYGG_ERR_DEVICE_STATE', `device ${newDeviceId} is ${fresh.status}, not in stock`);
      const { rows: cur } = await db.query<Row>(
        `UPDATE installations SET ended_at = now(), end_reason = 'swapped' WHERE device_id = $1 AND ended_at IS NULL RETURNING *`,
        [oldDeviceId],
      );
      const prev = cur[0];
      if (!prev) throw new TryggError('TRYGG_ERR_DEVICE_STATE', `device ${oldDeviceId} is not installed anywhere`);
      await db.query(`UPDATE devices SET status = 'faulty', updated_at = now() WHERE id = $1`, [oldDeviceId]);
      const { rows } = await db.query<Row>(
        `INSERT INTO installations (id, device_id, resident_id, site_id, location, settings, installed_by, replaces_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
        [newId('inst'), newDeviceId, prev.resident_id, prev.site_id, prev.location, prev.settings, by, prev.id],
      );
      await db.query(
        `UPDATE devices SET status = 'installed', resident_id = $2, site_id = $3,
                heartbeat_interval_s = coalesce($4, heartbeat_interval_s), updated_at = now() WHERE id = $1`,
        [newDeviceId, prev.resident_id, prev.site_id, heartbeatOf(prev.settings)],
      );
      // The faulty device no longer speaks for anyone.
      await db.query('UPDATE devices SET resident_id = NULL, site_id = NULL WHERE id = $1', [oldDeviceId]);
      return toInstallation(rows[0] as Row);
    }),
  );
}

export async function currentInstallation(pool: Pool, deviceId: string): Promise<Installation | null> {
  const { rows } = await pool.query<Row>('SELECT * FROM installations WHERE device_id = $1 AND ended_at IS NULL', [deviceId]);
  return rows[0] ? toInstallation(rows[0]) : null;
}

export async function listInstallations(
  pool: Pool,
  f: { residentId?: string; siteId?: string; deviceId?: string; current?: boolean } = {},
): Promise<Installation[]> {
  const { rows } = await pool.query<Row>(
    `SELECT * FROM installations
      WHERE ($1::text IS NULL OR resident_id = $1) AND ($2::text IS NULL OR site_id = $2) AND ($3::text IS NULL OR device_id = $3)
        AND (NOT $4 OR ended_at IS NULL)
      ORDER BY installed_at DESC LIMIT 500`,
    [f.residentId ?? null, f.siteId ?? null, f.deviceId ?? null, f.current !== false],
  );
  return rows.map(toInstallation);
}
