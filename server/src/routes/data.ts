/**
 * Data ownership for administrators: every dataset of the municipality as NDJSON (open, one
 * JSON object per line; the audit trail as FHIR AuditEvent), and erasing a resident's personal
 * data when the law requires it (see data/erase.ts for what stays and why).
 */
import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { API, type Pool } from '@trygg/alarm-core';
import { eraseResident } from '../data/erase.js';
import { exportDataset } from '../data/export.js';
import { serve } from './serve.js';

const data: FastifyPluginAsyncTypebox<{ pool: Pool }> = async (app, { pool }) => {
  serve(app, API.exportDataset, { action: 'data:export', audit: { entity: 'export', subtype: 'search' } }, async (req, reply) => {
    req.audit.entity(req.params.dataset);
    req.log.info({ dataset: req.params.dataset, by: req.principal?.userId }, 'data exported');
    return reply
      .type('application/x-ndjson; charset=utf-8')
      .header('content-disposition', `attachment; filename="trygg-${req.params.dataset}.ndjson"`)
      .send(Readable.from(exportDataset(pool, req.params.dataset)));
  });

  // Audited inside the erasure's own transaction (one event), so not by the plugin too.
  serve(app, API.erasePersonalData, { action: 'resident:erase' }, async (req) => {
    const p = req.principal;
    const done = await eraseResident(pool, req.params.id, { userId: p?.userId ?? null, role: p?.roles.join(',') ?? 'unknown' });
    req.log.warn({ by: p?.userId, ...done }, 'resident personal data erased');
    return done;
  });
};
export default data;
