/** Residents: who a device protects, where to go, how to get in, what responders should know. */
import type { Queryable, Resident, ResidentInput, ResidentUpdate } from '@trygg/alarm-core';
import { TryggError } from '@trygg/alarm-core';
import { parseNationalId } from '../national-id.js';
import { guarded } from './db-errors.js';
import { iso, newId } from './ids.js';

interface Row {
  id: string;
  name: string;
  national_id: string | null;
  site_id: string;
  address: string | null;
  key_safe: string | null;
  digital_lock: string | null;
  notes: string | null;
  language: string;
  consent_at: Date | null;
  consent_by: string | null;
}

const toResident = (r: Row): Resident => ({
  id: r.id,
  name: r.name,
  nationalId: r.national_id,
  siteId: r.site_id,
  address: r.address,
  keySafe: r.key_safe,
  digitalLock: r.digital_lock,
  notes: r.notes,
  language: r.language,
  consent: r.consent_at ? { at: iso(r.consent_at) ?? '', by: r.consent_by ?? '' } : null,
});

/** Checks what the schema cannot: the national id's check digits (fødselsnummer or D-number). */
export function residentProblems(input: Pick<ResidentInput, 'nationalId'>): string[] {
  const problems: string[] = [];
  if (input.nationalId && !parseNationalId(input.nationalId))
    problems.push(`national id ${input.nationalId} has wrong check digits or date`);
  return problems;
}

/** Adds a resident; `by` is who records the consent when `consent` is true. */
export async function createResident(db: Queryable, input: ResidentInput, by: string): Promise<Resident> {
  if (input.nationalId && !parseNationalId(input.nationalId)) {
    throw new TryggError('TRYGG_ERR_NATIONAL_ID_INVALID', `national id ${input.nationalId} has wrong check digits or date`);
  }
  const { rows } = await guarded(() =>
    db.query<Row>(
      `INSERT INTO residents (id, name, national_id, site_id, address, key_safe, digital_lock, notes, language, consent_at, consent_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, CASE WHEN $10 THEN now() END, CASE WHEN $10 THEN $11 END)
       RETURNING *`,
      [
        input.id ?? newId('res'),
        input.name,
        input.nationalId ?? null,
        input.siteId,
        input.address ?? null,
        input.keySafe ?? null,
        input.digitalLock ?? null,
        input.notes ?? null,
        input.language ?? 'nb',
        input.consent === true,
        by,
      ],
    ),
  );
  return toResident(rows[0] as Row);
}

export async function getResident(db: Queryable, id: string): Promise<Resident> {
  const { rows } = await db.query<Row>('SELECT * FROM residents WHERE id = $1', [id]);
  const row = rows[0];
  if (!row) throw new TryggError('TRYGG_ERR_NOT_FOUND', `no resident ${id}`);
  return toResident(row);
}

export async function listResidents(
  db: Queryable,
  opts: { siteId?: string; q?: string; limit?: number } = {},
): Promise<Resident[]> {
  const { rows } = await db.query<Row>(
    `SELECT * FROM residents
      WHERE ($1::text IS NULL OR site_id = $1) AND ($2::text IS NULL OR name ILIKE '%' || $3 || '%' ESCAPE '\\' OR national_id = $2)
      ORDER BY name, id LIMIT $4`,
    // The search text is literal: `%`, `_` and the escape character itself match only themselves.
    [opts.siteId ?? null, opts.q ?? null, opts.q?.replace(/[\\%_]/g, (c) => `\\${c}`) ?? null, opts.limit ?? 200],
  );
  return rows.map(toResident);
}

/** Records (or withdraws) the resident's consent to the service. */
export async function setResidentConsent(db: Queryable, id: string, consent: boolean, by: string): Promise<Resident> {
  const { rows } = await db.query<Row>(
    `UPDATE residents SET consent_at = CASE WHEN $2 THEN now() END, consent_by = CASE WHEN $2 THEN $3 END, updated_at = now()
      WHERE id = $1 RETURNING *`,
    [id, consent, by],
  );
  const row = rows[0];
  if (!row) throw new TryggError('TRYGG_ERR_NOT_FOUND', `no resident ${id}`);
  return toResident(row);
}

const RESIDENT_COLUMNS: Record<keyof ResidentUpdate, string> = {
  name: 'name',
  nationalId: 'national_id',
  siteId: 'site_id',
  address: 'address',
  keySafe: 'key_safe',
  digitalLock: 'digital_lock',
  notes: 'notes',
  language: 'language',
};

/** Changes the given fields of a resident. */
export async function updateResident(db: Queryable, id: string, change: ResidentUpdate): Promise<Resident> {
  if (change.nationalId && !parseNationalId(change.nationalId)) {
    throw new TryggError('TRYGG_ERR_NATIONAL_ID_INVALID', `national id ${change.nationalId} has wrong check digits or date`);
  }
  const keys = (Object.keys(change) as (keyof ResidentUpdate)[]).filter((k) => change[k] !== undefined);
  if (keys.length === 0) return getResident(db, id);
  const sets = keys.map((k, i) => `${RESIDENT_COLUMNS[k]} = $${i + 2}`).join(', ');
  const { rows } = await guarded(() =>
    db.query<Row>(`UPDATE residents SET ${sets}, updated_at = now() WHERE id = $1 RETURNING *`, [
      id,
      ...keys.map((k) => change[k]),
    ]),
  );
  const row = rows[0];
  if (!row) throw new TryggError('TRYGG_ERR_NOT_FOUND', `no resident ${id}`);
  return toResident(row);
}
