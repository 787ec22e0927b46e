/**
 * Relatives and their invitations: the administrators' list, single-use invitation links (only
 * a token's hash is kept), linking a relative to the account an invitation opens, and what a
 * signed-in relative may see (only their own people, only while consent to share stands).
 */
import type { Alarm } from '../contracts/alarm.js';
import type { RelativePerson, RelativeSummary, RelativeView } from '../contracts/api/relatives.js';
import type { Queryable } from '../db/pool.js';

/** Every relative with their person, by person, then in chain order. */
export async function listRelatives(db: Queryable): Promise<RelativeSummary[]> {
  const { rows } = await db.query<RelativeSummary>(
    `SELECT r.id, r.name, r.relation, r.resident_id AS "residentId", res.name AS "residentName", r.user_id IS NOT NULL AS "signedUp"
       FROM relatives r JOIN residents res ON res.id = r.resident_id ORDER BY res.name, r.chain_order, r.name`,
  );
  return rows;
}

export async function relativeExists(db: Queryable, relativeId: string): Promise<boolean> {
  const { rowCount } = await db.query('SELECT 1 FROM relatives WHERE id = $1', [relativeId]);
  return rowCount === 1;
}

/** Stores an invitation by its token's hash; resolves with when it expires. */
export async function createInvitation(
  db: Queryable,
  inv: { id: string; relativeId: string; tokenHash: string; createdBy: string | null; days: number },
): Promise<Date> {
  const { rows } = await db.query<{ expires_at: Date }>(
    `INSERT INTO relative_invitations (id, relative_id, token_hash, created_by, expires_at)
     VALUES ($1, $2, $3, $4, now() + $5 * interval '1 day') RETURNING expires_at`,
    [inv.id, inv.relativeId, inv.tokenHash, inv.createdBy, inv.days],
  );
  return rows[0]?.expires_at ?? new Date();
}

/**
 * Marks an unused, unexpired invitation used and resolves with its relative; null when there is
 * none. Single use: the first to mark it wins, a second use finds nothing.
 */
export async function redeemInvitation(db: Queryable, tokenHash: string): Promise<string | null> {
  const { rows } = await db.query<{ relative_id: string }>(
    `UPDATE relative_invitations SET used_at = now()
      WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now() RETURNING relative_id`,
    [tokenHash],
  );
  return rows[0]?.relative_id ?? null;
}

/** A relative's name and account, the row locked until the transaction ends (run inside one). */
export async function lockRelative(db: Queryable, relativeId: string): Promise<{ userId: string | null; name: string } | null> {
  const { rows } = await db.query<{ user_id: string | null; name: string }>(
    'SELECT user_id, name FROM relatives WHERE id = $1 FOR UPDATE',
    [relativeId],
  );
  const row = rows[0];
  return row ? { userId: row.user_id, name: row.name } : null;
}

export async function linkRelativeAccount(db: Queryable, relativeId: string, userId: string): Promise<void> {
  await db.query('UPDATE relatives SET user_id = $1 WHERE id = $2', [userId, relativeId]);
}

/** What a signed-in relative sees: their people, and those people's care alarms (open, or closed in the last 30 days). */
export async function readRelativeView(db: Queryable, userId: string): Promise<RelativeView> {
  const people = await db.query<RelativePerson>(
    // Only people whose consent to share with this relative stands (withdrawn = consent_at cleared).
    `SELECT r.resident_id AS "residentId", res.name, r.relation
       FROM relatives r JOIN residents res ON res.id = r.resident_id
      WHERE r.user_id = $1 AND r.consent_at IS NOT NULL ORDER BY res.name`,
    [userId],
  );
  const ids = people.rows.map((p) => p.residentId);
  const alarms = await db.query<{ doc: Alarm }>(
    `SELECT doc FROM alarms WHERE resident_id = ANY($1) AND doc->>'class' = 'care'
        AND (closed_at IS NULL OR closed_at > now() - interval '30 days')
      ORDER BY opened_at DESC LIMIT 50`,
    [ids],
  );
  return { people: people.rows, alarms: alarms.rows.map((r) => r.doc) };
}
