/**
 * Break the glass: an operator who must see a resident's whole record outside a claimed alarm
 * (the key safe when a worried relative calls at night, say) states why and gets it for a short
 * time. The grant is audited (purpose ETREAT, "emergency treatment"), logged, and announced at
 * once to every signed-in administrator, who follows it up.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { ErrorEnvelope, TryggError, type Pool, type Queryable } from '@trygg/alarm-core';

export interface GlassBroken {
  userId: string;
  name: string;
  residentId: string;
  reason: string;
  expiresAt: string;
}

/** Whether this user holds a live grant for this resident. */
export async function hasBrokenGlass(db: Queryable, userId: string, residentId: string): Promise<boolean> {
  const { rowCount } = await db.query(
    'SELECT 1 FROM access_grants WHERE user_id = $1 AND resident_id = $2 AND expires_at > now() LIMIT 1',
    [userId, residentId],
  );
  return rowCount === 1;
}

const Grant = Type.Object({ residentId: Type.String(), reason: Type.String(), expiresAt: Type.String() });

const breakGlass: FastifyPluginAsyncTypebox<{ pool: Pool; onBroken: (g: GlassBroken) => void }> = async (
  app,
  { pool, onBroken },
) => {
  app.post(
    '/api/residents/:id/break-glass',
    {
      config: { action: 'resident:break-glass', audit: { entity: 'resident', subtype: 'operation' } },
      schema: {
        tags: ['registry'],
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }),
        body: Type.Object(
          {
            reason: Type.String({ minLength: 10, maxLength: 500 }),
            minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 60 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Grant, 400: ErrorEnvelope, 401: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope },
      },
    },
    async (req, reply) => {
      const p = req.principal;
      if (!p || p.kind === 'client') throw new TryggError('TRYGG_ERR_FORBIDDEN', 'only a person can break the glass');
      const known = await pool.query('SELECT 1 FROM residents WHERE id = $1', [req.params.id]);
      if (known.rowCount !== 1) throw new TryggError('TRYGG_ERR_NOT_FOUND', `no resident ${req.params.id}`);
      const { rows } = await pool.query<{ expires_at: Date }>(
        `INSERT INTO access_grants (user_id, resident_id, reason, expires_at) VALUES ($1, $2, $3, now() + $4 * interval '1 minute')
         RETURNING expires_at`,
        [p.userId, req.params.id, req.body.reason, req.body.minutes ?? 15],
      );
      const expiresAt = (rows[0]?.expires_at ?? new Date()).toISOString();
      req.audit.patients([req.params.id]);
      req.audit.purpose('ETREAT');
      const grant = { userId: p.userId, name: p.name, residentId: req.params.id, reason: req.body.reason, expiresAt };
      req.log.warn({ event: 'break-glass', ...grant }, 'elevated access to a resident granted');
      onBroken(grant);
      return reply.status(201).send({ residentId: grant.residentId, reason: grant.reason, expiresAt });
    },
  );
};
export default breakGlass;
