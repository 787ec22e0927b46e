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
import { API, MIN_REASON_CHARS, TryggError, grantAccess, residentExists, type Pool } from '@trygg/alarm-core';
import { serve } from './serve.js';

/** The registry's resident route asks this (the grants live in alarm-core). */
export { hasBrokenGlass } from '@trygg/alarm-core';

export interface GlassBroken {
  userId: string;
  name: string;
  residentId: string;
  reason: string;
  expiresAt: string;
}

export interface BreakGlassOptions {
  pool: Pool;
  onBroken: (g: GlassBroken) => void;
  /** Different residents one person may open this way within `windowS`. */
  limit: { maxResidents: number; windowS: number };
}

const breakGlass: FastifyPluginAsyncTypebox<BreakGlassOptions> = async (app, { pool, onBroken, limit }) => {
  serve(
    app,
    API.breakGlass,
    { action: 'resident:break-glass', audit: { entity: 'resident', subtype: 'operation' } },
    async (req, reply) => {
      const p = req.principal;
      if (!p || p.kind === 'client') throw new TryggError('TRYGG_ERR_FORBIDDEN', 'only a person can break the glass');
      const residentId = req.params.id;
      const reason = req.body.reason.trim().replace(/\s+/g, ' ');
      if (reason.replace(/\s/g, '').length < MIN_REASON_CHARS)
        throw new TryggError(
          'TRYGG_ERR_VALIDATION',
          `body/reason: say why in at least ${MIN_REASON_CHARS} characters (spaces do not count)`,
        );
      if (!(await residentExists(pool, residentId))) throw new TryggError('TRYGG_ERR_NOT_FOUND', `no resident ${residentId}`);
      const expires = await grantAccess(pool, { userId: p.userId, residentId, reason, minutes: req.body.minutes ?? 15 }, limit);
      if (!expires) {
        req.log.warn(
          { code: 'TRYGG_ERR_BREAK_GLASS_LIMIT', userId: p.userId, residentId, reason, ...limit },
          'break the glass refused: too many residents opened',
        );
        throw new TryggError(
          'TRYGG_ERR_BREAK_GLASS_LIMIT',
          `at most ${limit.maxResidents} residents within ${Math.round(limit.windowS / 3600)} h; ask an administrator`,
        );
      }
      const expiresAt = expires.toISOString();
      req.audit.patients([residentId]);
      req.audit.purpose('ETREAT');
      const grant = { userId: p.userId, name: p.name, residentId, reason, expiresAt };
      req.log.warn({ event: 'break-glass', ...grant }, 'elevated access to a resident granted');
      onBroken(grant);
      void reply.status(201);
      return { residentId, reason, expiresAt };
    },
  );
};
export default breakGlass;
