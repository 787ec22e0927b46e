/** The resident as the journal knows them: national id or D-number, and name. */
import type { JournalPatient, Queryable } from '@trygg/alarm-core';
import { parseNationalId } from './national-id.js';

export async function journalPatient(db: Queryable, residentId: string | null): Promise<JournalPatient> {
  if (!residentId) return { nationalId: null, dNumber: null, name: null };
  const { rows } = await db.query<{ national_id: string | null; name: string }>(
    'SELECT national_id, name FROM residents WHERE id = $1',
    [residentId],
  );
  const r = rows[0];
  const kind = r?.national_id ? parseNationalId(r.national_id)?.kind : undefined;
  return {
    nationalId: kind === 'fnr' ? (r?.national_id ?? null) : null,
    dNumber: kind === 'dnr' ? (r?.national_id ?? null) : null,
    name: r?.name ?? null,
  };
}
