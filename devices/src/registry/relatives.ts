/**
 * Relatives: a resident's contacts in the order they are asked, each with an optional daily
 * window in which they are not asked ("not at night" = 22:00–07:00) and the resident's consent.
 */
import type { Queryable, Relative, RelativeInput, RelativeUpdate } from '@trygg/alarm-core';
import { TryggError } from '@trygg/alarm-core';
import { guarded } from './db-errors.js';
import { iso, newId } from './ids.js';

interface Row {
  id: string;
  resident_id: string;
  name: string;
  phone: string | null;
  email: string | null;
  relation: string | null;
  chain_order: number;
  unavailable_from: string | null;
  unavailable_to: string | null;
  user_id: string | null;
  consent_at: Date | null;
  consent_by: string | null;
}

const hhmm = (t: string) => t.slice(0, 5);
const toRelative = (r: Row): Relative => ({
  id: r.id,
  residentId: r.resident_id,
  name: r.name,
  phone: r.phone,
  email: r.email,
  relation: r.relation,
  order: r.chain_order,
  unavailable: r.unavailable_from && r.unavailable_to ? { from: hhmm(r.unavailable_from), to: hhmm(r.unavailable_to) } : null,
  userId: r.user_id,
  consent: r.consent_at ? { at: iso(r.consent_at) ?? '', by: r.consent_by ?? '' } : null,
});

/** Adds a relative; without an order it goes last in the resident's chain. */
export async function addRelative(db: Queryable, input: RelativeInput, by: string): Promise<Relative> {
  const { rows } = await guarded(() =>
    db.query<Row>(
      `INSERT INTO relatives (id, resident_id, name, phone, email, relation, chain_order, unavailable_from, unavailable_to,
                              user_id, consent_at, consent_by)
       VALUES ($1, $2, $3, $4, $5, $6,
               coalesce($7, (SELECT coalesce(max(chain_order), 0) + 1 FROM relatives WHERE resident_id = $2)),
               $8, $9, $10, CASE WHEN $11 THEN now() END, CASE WHEN $11 THEN $12 END)
       RETURNING *`,
      [
        input.id ?? newId('rel'),
        input.residentId,
        input.name,
        input.phone ?? null,
        input.email ?? null,
        input.relation ?? null,
        input.order ?? null,
        input.unavailable?.from ?? null,
        input.unavailable?.to ?? null,
        input.userId ?? null,
        input.consent === true,
        by,
      ],
    ),
  );
  return toRelative(rows[0] as Row);
}

export async function listRelatives(db: Queryable, residentId: string): Promise<Relative[]> {
  const { rows } = await db.query<Row>('SELECT * FROM relatives WHERE resident_id = $1 ORDER BY chain_order, id', [residentId]);
  return rows.map(toRelative);
}

export async function getRelative(db: Queryable, id: string): Promise<Relative> {
  const { rows } = await db.query<Row>('SELECT * FROM relatives WHERE id = $1', [id]);
  const row = rows[0];
  if (!row) throw new TryggError('TRYGG_ERR_NOT_FOUND', `no relative ${id}`);
  return toRelative(row);
}

/** Changes the given fields of a relative (`consent` true records it now by `by`, false withdraws it). */
export async function updateRelative(db: Queryable, id: string, change: RelativeUpdate, by: string): Promise<Relative> {
  const sets: string[] = [];
  const values: unknown[] = [id];
  const set = (column: string, value: unknown) => {
    values.push(value);
    sets.push(`${column} = $${values.length}`);
  };
  if (change.name !== undefined) set('name', change.name);
  if (change.phone !== undefined) set('phone', change.phone);
  if (change.email !== undefined) set('email', change.email);
  if (change.relation !== undefined) set('relation', change.relation);
  if (change.order !== undefined) set('chain_order', change.order);
  if (change.userId !== undefined) set('user_id', change.userId);
  if (change.unavailable !== undefined) {
    set('unavailable_from', change.unavailable?.from ?? null);
    set('unavailable_to', change.unavailable?.to ?? null);
  }
  if (change.consent !== undefined) {
    set('consent_at', change.consent ? new Date() : null);
    set('consent_by', change.consent ? by : null);
  }
  if (sets.length === 0) return getRelative(db, id);
  const { rows } = await guarded(() =>
    db.query<Row>(`UPDATE relatives SET ${sets.join(', ')} WHERE id = $1 RETURNING *`, values),
  );
  const row = rows[0];
  if (!row) throw new TryggError('TRYGG_ERR_NOT_FOUND', `no relative ${id}`);
  return toRelative(row);
}

export async function removeRelative(db: Queryable, id: string): Promise<void> {
  const { rowCount } = await db.query('DELETE FROM relatives WHERE id = $1', [id]);
  if (rowCount !== 1) throw new TryggError('TRYGG_ERR_NOT_FOUND', `no relative ${id}`);
}
