/**
 * What a signed-in technician sees in their app: the technical alarms (battery, mains, tamper,
 * dispenser fault or refill, a device gone offline) they were alerted for or took — open ones,
 * and those closed in the last 7 days, so they can see how a job ended. Care alarms never: a
 * technician acts on devices, not on a person's call for help.
 */
import type { Alarm } from '../contracts/alarm.js';
import type { Queryable } from '../db/pool.js';

export async function readTechnicianAlarms(db: Queryable, userId: string): Promise<Alarm[]> {
  const { rows } = await db.query<{ doc: Alarm }>(
    `SELECT doc FROM alarms
      WHERE doc->>'class' = 'technical'
        AND (closed_at IS NULL OR closed_at > now() - interval '7 days')
        AND (doc->'escalation'->'alerts' @> jsonb_build_array(jsonb_build_object('recipient', jsonb_build_object('userId', $1::text)))
             OR doc->'claimedBy'->>'userId' = $1)
      ORDER BY closed_at IS NOT NULL, priority DESC, opened_at DESC LIMIT 100`,
    [userId],
  );
  return rows.map((r) => r.doc);
}
