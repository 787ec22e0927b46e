/**
 * Access grants ("break the glass"): a person's short-lived access to one resident's whole
 * record, with the reason they gave. One person may open only so many different residents
 * within a window; renewing a grant for the same resident is not another.
 */
import type { Pool, Queryable } from '../db/pool.js';
import { withTransaction } from '../db/pool.js';

/** Whether this user holds a live grant for this resident. */
export async function hasBrokenGlass(db: Queryable, userId: string, residentId: string): Promise<boolean> {
  const { rowCount } = await db.query(
    'SELECT 1 FROM access_grants WHERE user_id = $1 AND resident_id = $2 AND expires_at > now() LIMIT 1',
    [userId, residentId],
  );
  return rowCount === 1;
}

export async function residentExists(db: Queryable, residentId: string): Promise<boolean> {
  const { rowCount } = await db.query('SELECT 1 FROM residents WHERE id = $1', [residentId]);
  return rowCount === 1;
}

/**
 * Grants `userId` access to `residentId` for `minutes`, unless they opened `maxResidents` other
 * residents within `windowS` already: then resolves with `null`. One person's grants are counted
 * and made one at a time, so parallel requests cannot pass the cap together.
 */
export async function grantAccess(
  pool: Pool,
  g: { userId: string; residentId: string; reason: string; minutes: number },
  limit: { maxResidents: number; windowS: number },
): Promise<Date | null> {
  return withTransaction(pool, async (db) => {
    await db.query(`SELECT pg_advisory_xact_lock(hashtext('trygg-break-glass:' || $1))`, [g.userId]);
    const opened = await db.query<{ n: number }>(
      `SELECT count(DISTINCT resident_id)::int AS n FROM access_grants
        WHERE user_id = $1 AND resident_id <> $2 AND granted_at > now() - $3 * interval '1 second'`,
      [g.userId, g.residentId, limit.windowS],
    );
    if ((opened.rows[0]?.n ?? 0) >= limit.maxResidents) return null;
    const { rows } = await db.query<{ expires_at: Date }>(
      `INSERT INTO access_grants (user_id, resident_id, reason, expires_at) VALUES ($1, $2, $3, now() + $4 * interval '1 minute')
       RETURNING expires_at`,
      [g.userId, g.residentId, g.reason, g.minutes],
    );
    return rows[0]?.expires_at ?? new Date();
  });
}
