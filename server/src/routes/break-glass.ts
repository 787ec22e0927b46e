/**
 * Break the glass: an operator who must see a resident's whole record outside a claimed alarm
 * (the key safe when a worried relative calls at night, say) states why and gets it for a short
 * time. The grant is audited (purpose ETREAT, "emergency treatment"), logged, and announced at
 * once to every signed-in administrator, who follows it up. The reason must say something (ten
 * characters that are not spaces), and one person may open at most `maxResidents` different
 * residents this way within `windowS` (renewing a grant for the same resident is not another):
 * breaking the glass is for the odd night, not for browsing the registry.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { ErrorEnvelope, TryggError, withTransaction, type Pool, type Queryable } from '@trygg/alarm-core';

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

/** Characters of a reason that are not white space, at least. */
const MIN_REASON_CHARS = 10;

export interface BreakGlassOptions {
  pool: Pool;
  onBroken: (g: GlassBroken) => void;
  /** Different residents one person may open this way within `windowS`. */
  limit: { maxResidents: number; windowS: number };
}

const breakGlass: FastifyPluginAsyncTypebox<BreakGlassOptions> = async (app, { pool, onBroken, limit }) => {
  app.post(
    '/api/residents/:id/break-glass',
    {
      config: { action: 'resident:break-glass', audit: { entity: 'resident', subtype: 'operation' } },
      schema: {
        tags: ['registry'],
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }),
        body: Type.Object(
          {
            reason: Type.String({
              minLength: MIN_REASON_CHARS,
              maxLength: 500,
              description: 'why, in at least 10 characters that are not spaces',
            }),
            minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 60 })),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Grant,
          400: ErrorEnvelope,
          401: ErrorEnvelope,
          403: ErrorEnvelope,
          404: ErrorEnvelope,
          429: ErrorEnvelope,
        },
      },
    },
    async (req, reply) => {
      const p = req.principal;
      if (!p || p.kind === 'client') throw new TryggError('TRYGG_ERR_FORBIDDEN', 'only a person can break the glass');
      const reason = req.body.reason.trim().replace(/\s+/g, ' ');
      if (reason.replace(/\s/g, '').length < MIN_REASON_CHARS)
        throw new TryggError(
          'TRYGG_ERR_VALIDATION',
          `body/reason: say why in at least ${MIN_REASON_CHARS} characters (spaces do not count)`,
        );
      const known = await pool.query('SELECT 1 FROM residents WHERE id = $1', [req.params.id]);
      if (known.rowCount !== 1) throw new TryggError('TRYGG_ERR_NOT_FOUND', `no resident ${req.params.id}`);
      const expires = await withTransaction(pool, async (db) => {
        // One person's grants are counted and made one at a time: parallel requests cannot pass the cap together.
        await db.query(`SELECT pg_advisory_xact_lock(hashtext('trygg-break-glass:' || $1))`, [p.userId]);
        const opened = await db.query<{ n: number }>(
          `SELECT count(DISTINCT resident_id)::int AS n FROM access_grants
            WHERE user_id = $1 AND resident_id <> $2 AND granted_at > now() - $3 * interval '1 second'`,
          [p.userId, req.params.id, limit.windowS],
        );
        if ((opened.rows[0]?.n ?? 0) >= limit.maxResidents) {
          req.log.warn(
            { code: 'TRYGG_ERR_BREAK_GLASS_LIMIT', userId: p.userId, residentId: req.params.id, reason, ...limit },
            'break the glass refused: too many residents opened',
          );
          throw new TryggError(
            'TRYGG_ERR_BREAK_GLASS_LIMIT',
            `at most ${limit.maxResidents} residents within ${Math.round(limit.windowS / 3600)} h; ask an administrator`,
          );
        }
        const { rows } = await db.query<{ expires_at: Date }>(
          `INSERT INTO access_grants (user_id, resident_id, reason, expires_at) VALUES ($1, $2, $3, now() + $4 * interval '1 minute')
           RETURNING expires_at`,
          [p.userId, req.params.id, reason, req.body.minutes ?? 15],
        );
        return rows[0]?.expires_at ?? new Date();
      });
      const expiresAt = expires.toISOString();
      req.audit.patients([req.params.id]);
      req.audit.purpose('ETREAT');
      const grant = { userId: p.userId, name: p.name, residentId: req.params.id, reason, expiresAt };
      req.log.warn({ event: 'break-glass', ...grant }, 'elevated access to a resident granted');
      onBroken(grant);
      return reply.status(201).send({ residentId: grant.residentId, reason: grant.reason, expiresAt });
    },
  );
};
export default breakGlass;
