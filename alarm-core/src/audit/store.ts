/** Reading the audit trail: the events in a time range, of a resident or a user; who looked at a resident. */
import type { AccessRecord } from '../contracts/api/audit.js';
import type { Pool } from '../db/pool.js';
import type { AuditRow } from './balp.js';

type Db = Pick<Pool, 'query'>;

const COLUMNS = `id::text, at, actor_user_id, actor_role, action, entity_type, entity_id, outcome, subtype, purpose,
                 source_ip, request_id, client_id, query, patient_ids`;

export interface AuditFilter {
  from?: string;
  to?: string;
  /** Events about this resident. */
  resident?: string;
  /** Events by this user. */
  user?: string;
  limit: number;
}

/** Audit events, oldest first. */
export async function listAuditRows(db: Db, f: AuditFilter): Promise<AuditRow[]> {
  const { rows } = await db.query<AuditRow>(
    `SELECT ${COLUMNS} FROM audit_events
      WHERE ($1::timestamptz IS NULL OR at >= $1) AND ($2::timestamptz IS NULL OR at < $2)
        AND ($3::text IS NULL OR $3 = ANY (patient_ids)) AND ($4::text IS NULL OR actor_user_id = $4)
      ORDER BY at, id LIMIT $5`,
    [f.from ?? null, f.to ?? null, f.resident ?? null, f.user ?? null, f.limit],
  );
  return rows;
}

/** Who has looked at or changed a resident's data, newest first (the last 1000). */
export async function residentAccess(db: Db, residentId: string): Promise<AccessRecord[]> {
  const { rows } = await db.query<AuditRow>(
    `SELECT ${COLUMNS} FROM audit_events WHERE $1 = ANY (patient_ids) ORDER BY at DESC, id DESC LIMIT 1000`,
    [residentId],
  );
  return rows.map((r) => ({
    at: r.at.toISOString(),
    userId: r.actor_user_id,
    role: r.actor_role,
    action: r.action,
    purpose: r.purpose,
    outcome: r.outcome,
    from: r.source_ip,
  }));
}
