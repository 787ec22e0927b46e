/** Who did it, as recorded on consents (a name) and installations and tests (a user id). */
import type { FastifyRequest } from 'fastify';

export const actorOf = (req: FastifyRequest): string => req.principal?.name ?? 'unknown';
export const userIdOf = (req: FastifyRequest): string | null => req.principal?.userId ?? null;
