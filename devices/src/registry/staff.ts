/**
 * Staff and other users: accounts with roles, the sites they work at, and their shifts. Someone
 * with shifts is on a roster only during one; someone without any shift is always on duty at
 * their sites (a small site that does not plan shifts).
 */
import type { Pool, Queryable, Shift, ShiftInput, Staff, StaffInput } from '@trygg/alarm-core';
import { TryggError, withTransaction } from '@trygg/alarm-core';
import { hashSecret, newSecret } from '../secrets.js';
import { guarded } from './db-errors.js';

interface Row {
  id: string;
  username: string;
  display_name: string;
  roles: Staff['roles'];
  locale: string;
  site_ids: string[];
}
const toStaff = (r: Row): Staff => ({
  id: r.id,
  username: r.username,
  displayName: r.display_name,
  roles: r.roles,
  siteIds: r.site_ids,
  locale: r.locale,
});

/** Adds an account; returns the password when one was made here (shown once). */
export async function createStaff(pool: Pool, input: StaffInput): Promise<{ staff: Staff; password: string | null }> {
  const password = input.password ?? newSecret(12);
  const id = input.id ?? `user-${input.username}`;
  const hash = await hashSecret(password);
  await guarded(() =>
    withTransaction(pool, async (db) => {
      await db.query(
        'INSERT INTO users (id, username, display_name, password_hash, roles, locale) VALUES ($1, $2, $3, $4, $5, $6)',
        [id, input.username, input.displayName, hash, input.roles, input.locale ?? 'nb'],
      );
      for (const s of input.siteIds ?? []) await db.query('INSERT INTO staff_sites (user_id, site_id) VALUES ($1, $2)', [id, s]);
    }),
  );
  return { staff: await getStaff(pool, id), password: input.password ? null : password };
}

const SELECT = `SELECT u.id, u.username, u.display_name, u.roles, u.locale,
                       coalesce(array_agg(ss.site_id ORDER BY ss.site_id) FILTER (WHERE ss.site_id IS NOT NULL), '{}') AS site_ids
                  FROM users u LEFT JOIN staff_sites ss ON ss.user_id = u.id`;

export async function getStaff(db: Queryable, id: string): Promise<Staff> {
  const { rows } = await db.query<Row>(`${SELECT} WHERE u.id = $1 GROUP BY u.id`, [id]);
  const row = rows[0];
  if (!row) throw new TryggError('TRYGG_ERR_NOT_FOUND', `no user ${id}`);
  return toStaff(row);
}

export async function listStaff(db: Queryable, opts: { role?: string } = {}): Promise<Staff[]> {
  const { rows } = await db.query<Row>(
    `${SELECT} WHERE $1::text IS NULL OR $1 = ANY (u.roles) GROUP BY u.id ORDER BY u.username`,
    [opts.role ?? null],
  );
  return rows.map(toStaff);
}

interface ShiftRow {
  id: string;
  user_id: string;
  site_id: string;
  starts_at: Date;
  ends_at: Date;
}
const toShift = (r: ShiftRow): Shift => ({
  id: String(r.id),
  userId: r.user_id,
  siteId: r.site_id,
  startsAt: r.starts_at.toISOString(),
  endsAt: r.ends_at.toISOString(),
});

export async function addShift(db: Queryable, input: ShiftInput): Promise<Shift> {
  if (Date.parse(input.endsAt) <= Date.parse(input.startsAt)) {
    throw new TryggError('TRYGG_ERR_VALIDATION', 'a shift ends after it starts');
  }
  const { rows } = await guarded(() =>
    db.query<ShiftRow>('INSERT INTO staff_shifts (user_id, site_id, starts_at, ends_at) VALUES ($1, $2, $3, $4) RETURNING *', [
      input.userId,
      input.siteId,
      input.startsAt,
      input.endsAt,
    ]),
  );
  return toShift(rows[0] as ShiftRow);
}

/** Shifts not yet over, optionally of one site, by start. */
export async function listShifts(db: Queryable, opts: { siteId?: string; userId?: string } = {}): Promise<Shift[]> {
  const { rows } = await db.query<ShiftRow>(
    `SELECT * FROM staff_shifts WHERE ends_at > now() AND ($1::text IS NULL OR site_id = $1) AND ($2::text IS NULL OR user_id = $2)
      ORDER BY starts_at LIMIT 1000`,
    [opts.siteId ?? null, opts.userId ?? null],
  );
  return rows.map(toShift);
}

export async function removeShift(db: Queryable, id: string): Promise<void> {
  if (!/^[0-9]+$/.test(id)) throw new TryggError('TRYGG_ERR_NOT_FOUND', `no shift ${id}`);
  const { rowCount } = await db.query('DELETE FROM staff_shifts WHERE id = $1', [id]);
  if (rowCount !== 1) throw new TryggError('TRYGG_ERR_NOT_FOUND', `no shift ${id}`);
}
