/**
 * Audit of reads of personal data: who read which resident's record (or which list), when,
 * written to the append-only audit_events before the answer leaves.
 */
import type { FastifyRequest } from 'fastify';
import type { Queryable } from '@trygg/alarm-core';

export async function auditRead(
  db: Queryable,
  req: FastifyRequest,
  what: { action: string; entityType: string; entityId?: string | null; residentId?: string | null; detail?: object },
): Promise<void> {
  const p = req.principal;
  await db.query(
    `INSERT INTO audit_events (actor_user_id, actor_role, action, entity_type, entity_id, resident_id, outcome, detail)
     VALUES ($1, $2, $3, $4, $5, $6, 'ok', $7)`,
    [
      p?.userId ?? null,
      p?.roles.join(',') ?? null,
      what.action,
      what.entityType,
      what.entityId ?? null,
      what.residentId ?? null,
      { ...what.detail, route: req.routeOptions.url },
    ],
  );
}

/** Who did it, as recorded on consents and installations. */
export const actorOf = (req: FastifyRequest): string => req.principal?.name ?? 'unknown';
export const userIdOf = (req: FastifyRequest): string | null => req.principal?.userId ?? null;
