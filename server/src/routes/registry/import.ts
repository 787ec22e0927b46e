/**
 * CSV import of residents or devices (`Content-Type: text/csv`). `?dryRun=true` only checks;
 * otherwise every row is imported in one transaction, or, if any row is bad, none (the
 * answer is 400 TRYGG_ERR_IMPORT_INVALID with the report of every bad row).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { ImportReport, type Pool } from '@trygg/alarm-core';
import { decodeCsv, importCsv } from '@trygg/devices';
import { actorOf, userIdOf } from './actor.js';
import { errors } from './errors.js';

const MAX_CSV_BYTES = 10 * 1024 * 1024;
/** A refused import: the error envelope with the full report. */
const ImportRefused = Type.Object({
  ...ImportReport.properties,
  status: Type.Literal('error'),
  code: Type.String(),
  message: Type.String(),
});

const importRoutes: FastifyPluginAsyncTypebox<{ pool: Pool }> = async (app, { pool }) => {
  // Read by the charset the upload declares (UTF-8 when none): a Latin-1 file is decoded as such
  // or refused, never stored as replacement characters.
  app.addContentTypeParser('text/csv', { parseAs: 'buffer', bodyLimit: MAX_CSV_BYTES }, (req, body, done) => {
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.headers['content-type'] ?? '')?.[1];
    try {
      done(null, decodeCsv(body as Buffer, charset));
    } catch (err) {
      done(err as Error, undefined);
    }
  });

  app.post(
    '/api/import/:kind',
    {
      config: { action: 'registry:import', audit: { entity: 'registry-import', subtype: 'operation' } },
      bodyLimit: MAX_CSV_BYTES,
      schema: {
        tags: ['registry'],
        params: Type.Object({ kind: Type.Enum(['residents', 'devices']) }),
        querystring: Type.Object({ dryRun: Type.Optional(Type.Enum(['true', 'false'])) }, { additionalProperties: false }),
        body: Type.String({ maxLength: MAX_CSV_BYTES }),
        response: { 200: ImportReport, 400: Type.Union([ImportRefused, errors[400]]), 401: errors[401], 403: errors[403] },
      },
    },
    async (req, reply) => {
      const report = await importCsv(pool, req.params.kind, req.body, {
        dryRun: req.query.dryRun === 'true',
        by: actorOf(req),
        userId: userIdOf(req),
      });
      req.log.info(
        {
          kind: report.kind,
          rows: report.rows,
          invalid: report.invalid.length,
          imported: report.imported,
          dryRun: report.dryRun,
        },
        'registry import',
      );
      if (report.invalid.length > 0) {
        return reply.status(400).send({
          ...report,
          status: 'error',
          code: 'TRYGG_ERR_IMPORT_INVALID',
          message: `${report.invalid.length} invalid rows; nothing was imported`,
        });
      }
      return report;
    },
  );
};
export default importRoutes;
