/**
 * Who did it, as recorded on consents (a name) and on installations and tests (a user account;
 * an API client has none, so it is recorded by name only, in the log and the audit trail).
 */
import type { FastifyRequest } from 'fastify';

export const actorOf = (req: FastifyRequest): string => req.principal?.name ?? 'unknown';
export const userIdOf = (req: FastifyRequest): string | null =>
  req.principal && req.principal.kind !== 'client' ? req.principal.userId : null;
