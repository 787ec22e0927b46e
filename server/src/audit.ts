/**
 * Reads of personal data, audited: who (user and role) read what about whom, when, through
 * which route. The trail is append-only (a trigger refuses changes); writes are audited by the
 * engine in the transaction that makes them.
 */
import type { FastifyRequest } from 'fastify';
import type { Pool } from '@trygg/alarm-core';

export interface AuditedRead {
  /** What was done, e.g. `journal.export`. */
  action: string;
  entityType: string;
  entityId: string | null;
  /** Whose personal data it was: one audit row per person (one row with none when it was no one's). */
  residentIds: readonly string[];
}

export async function auditRead(pool: Pick<Pool, 'query'>, req: FastifyRequest, read: AuditedRead): Promise<void> {
  const residents = read.residentIds.length > 0 ? [...new Set(read.residentIds)] : [null];
  await pool.query(
    `INSERT INTO audit_events (actor_user_id, actor_role, action, entity_type, entity_id, resident_id, outcome, detail)
     SELECT $1, $2, $3, $4, $5, r, 'success', $7 FROM unnest($6::text[]) AS r`,
    [
      req.principal?.userId ?? null,
      req.principal?.roles.join(',') ?? null,
      read.action,
      read.entityType,
      read.entityId,
      residents,
      { route: req.routeOptions.url, requestId: req.id },
    ],
  );
}
