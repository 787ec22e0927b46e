/**
 * Service-level statistics for the response centre, per site (each institution; homes together):
 * alarms per hour over the last 24 h, time to accept and to resolve (median, 90th percentile),
 * and the share accepted within 60 s and 180 s, the industry's service levels. Care alarms only;
 * technical alarms are the technicians' queue. Counts and times, no personal data.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { API, readServiceLevels, type Pool } from '@trygg/alarm-core';
import { serve } from './serve.js';

const statistics: FastifyPluginAsyncTypebox<{ pool: Pool }> = async (app, { pool }) => {
  serve(app, API.statistics, { action: 'stats:read' }, async (req) => {
    const days = Math.min(366, Math.max(1, Number(req.query.days ?? '7')));
    return {
      days,
      since: new Date(Date.now() - days * 86_400_000).toISOString(),
      sites: await readServiceLevels(pool, days),
    };
  });
};
export default statistics;
