/**
 * Data ownership for administrators: every dataset of the municipality as NDJSON (open, one
 * JSON object per line; the audit trail as FHIR AuditEvent), and erasing a resident's personal
 * data when the law requires it (see data/erase.ts for what stays and why).
 */
import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { ErrorEnvelope, type Pool } from '@trygg/alarm-core';
import { eraseResident } from '../data/erase.js';
import { DATASETS, exportDataset } from '../data/export.js';

const errors = { 401: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope, 409: ErrorEnvelope };

const data: FastifyPluginAsyncTypebox<{ pool: Pool }> = async (app, { pool }) => {
  app.get(
    '/api/admin/export/:dataset',
    {
      config: { action: 'data:export', audit: { entity: 'export', subtype: 'search' } },
      schema: {
        tags: ['data'],
        params: Type.Object({ dataset: Type.Enum([...DATASETS]) }),
        // The body is NDJSON, streamed; errors are the usual envelope.
      },
    },
    async (req, reply) => {
      req.audit.entity(req.params.dataset);
      req.log.info({ dataset: req.params.dataset, by: req.principal?.userId }, 'data exported');
      return reply
        .type('application/x-ndjson; charset=utf-8')
        .header('content-disposition', `attachment; filename="trygg-${req.params.dataset}.ndjson"`)
        .send(Readable.from(exportDataset(pool, req.params.dataset)));
    },
  );

  app.delete(
    '/api/residents/:id/personal-data',
    {
      // Audited inside the erasure's own transaction (one event), so not by the plugin too.
      config: { action: 'resident:erase' },
      schema: {
        tags: ['data'],
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }),
        response: {
          200: Type.Object({
            residentId: Type.String(),
            relatives: Type.Integer(),
            accounts: Type.Integer(),
            alarms: Type.Integer(),
            journalCopies: Type.Integer(),
          }),
          ...errors,
        },
      },
    },
    async (req) => {
      const p = req.principal;
      const done = await eraseResident(pool, req.params.id, { userId: p?.userId ?? null, role: p?.roles.join(',') ?? 'unknown' });
      req.log.warn({ by: p?.userId, ...done }, 'resident personal data erased');
      return done;
    },
  );
};
export default data;
