/**
 * Erasing a resident's personal data when the law requires it (GDPR art. 17, within what health
 * law allows): name, national id, address, how to get in, notes, consent, the home's name and
 * address, the relatives (and their accounts, when they are nobody else's relative), and the
 * names in the alarms' working copies are removed or replaced, in one transaction. What stays:
 * the patient journal (another system's record, which Trygg never rewrites; entries not yet
 * delivered keep their content so the legal record is complete), the audit trail (append-only,
 * keyed by the resident's opaque id), alarm timelines as the handling record, and telemetry.
 */
import { TryggError, withTransaction, type Erasure, type Pool } from '@trygg/alarm-core';

export const ERASED_NAME = 'Slettet person';
export const ERASED_RELATIVE = 'Slettet pårørende';

/** What an erasure removed or anonymised (the route's answer, declared in its contract). */
export type { Erasure };

export async function eraseResident(
  pool: Pool,
  residentId: string,
  by: { userId: string | null; role: string },
): Promise<Erasure> {
  return withTransaction(pool, async (db) => {
    const { rows } = await db.query<{ site_id: string }>('SELECT site_id FROM residents WHERE id = $1 FOR UPDATE', [residentId]);
    const resident = rows[0];
    if (!resident) throw new TryggError('TRYGG_ERR_NOT_FOUND', `no resident ${residentId}`);
    const open = await db.query(`SELECT 1 FROM alarms WHERE resident_id = $1 AND state IN ('open', 'claimed', 'arrived')`, [
      residentId,
    ]);
    if (open.rowCount) throw new TryggError('TRYGG_ERR_RESIDENT_ACTIVE');

    const rel = await db.query<{ user_id: string | null }>('DELETE FROM relatives WHERE resident_id = $1 RETURNING user_id', [
      residentId,
    ]);
    const userIds = rel.rows.flatMap((r) => (r.user_id ? [r.user_id] : []));
    const accounts = await db.query(
      `DELETE FROM users u WHERE u.id = ANY ($1::text[]) AND u.roles = '{relative}'
          AND NOT EXISTS (SELECT 1 FROM relatives r WHERE r.user_id = u.id)`,
      [userIds],
    );
    await db.query(
      `UPDATE residents SET name = $2, national_id = NULL, address = NULL, key_safe = NULL, digital_lock = NULL, notes = NULL,
              consent_at = NULL, consent_by = NULL, updated_at = now()
        WHERE id = $1`,
      [residentId, ERASED_NAME],
    );
    await db.query(`UPDATE sites SET name = $2, address = NULL WHERE id = $1 AND kind = 'home'`, [resident.site_id, ERASED_NAME]);
    await db.query('UPDATE devices SET resident_id = NULL WHERE resident_id = $1', [residentId]);
    await db.query(
      `UPDATE installations SET ended_at = now(), end_reason = 'removed' WHERE resident_id = $1 AND ended_at IS NULL`,
      [residentId],
    );
    const alarms = await db.query(`UPDATE alarms SET doc = trygg_scrub_alarm(doc, $2, $3, $4) WHERE resident_id = $1`, [
      residentId,
      ERASED_NAME,
      ERASED_RELATIVE,
      resident.site_id,
    ]);
    await db.query(
      `UPDATE alarm_timeline t SET actor = jsonb_set(t.actor, '{name}', to_jsonb($2::text))
         FROM alarms a WHERE a.id = t.alarm_id AND a.resident_id = $1 AND t.actor ->> 'role' = 'relative'`,
      [residentId, ERASED_RELATIVE],
    );
    await db.query(
      `UPDATE notifications n SET payload = jsonb_set(n.payload, '{summary,residentName}', to_jsonb($2::text), false),
              recipient = CASE WHEN n.recipient ->> 'kind' = 'relative'
                               THEN jsonb_set(n.recipient, '{name}', to_jsonb($3::text)) ELSE n.recipient END
         FROM alarms a WHERE a.id = n.alarm_id AND a.resident_id = $1`,
      [residentId, ERASED_NAME, ERASED_RELATIVE],
    );
    // The SMS channel's record of texts to relatives' phones (numbers, short codes) goes with them.
    await db.query('DELETE FROM sms_messages s USING alarms a WHERE a.id = s.alarm_id AND a.resident_id = $1', [residentId]);
    const journal = await db.query(
      `UPDATE journal_outbox SET record = trygg_scrub_alarm(record, $2, $3, $4)
        WHERE resident_id = $1 AND kind = 'alarm' AND status = 'journaled'`,
      [residentId, ERASED_NAME, ERASED_RELATIVE, resident.site_id],
    );
    await db.query(
      `INSERT INTO audit_events (actor_user_id, actor_role, action, entity_type, entity_id, resident_id, outcome, detail, subtype,
                                 purpose, patient_ids)
       VALUES ($1, $2, 'resident.erase', 'resident', $3, $3, 'success', $4, 'delete', 'HOPERAT', ARRAY[$3])`,
      [by.userId, by.role, residentId, { relatives: rel.rowCount, alarms: alarms.rowCount }],
    );
    return {
      residentId,
      relatives: rel.rowCount ?? 0,
      accounts: accounts.rowCount ?? 0,
      alarms: alarms.rowCount ?? 0,
      journalCopies: journal.rowCount ?? 0,
    };
  });
}
