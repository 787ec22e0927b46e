/**
 * CSV import of residents or devices (`Content-Type: text/csv`). `?dryRun=true` only checks;
 * otherwise every row is imported in one transaction, or, if any row is bad, none (the
 * answer is 400 TRYGG_ERR_IMPORT_INVALID with the report of every bad row).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { API, IMPORT_MAX_BYTES, type ImportRefused, type Pool } from '@trygg/alarm-core';
import { decodeCsv, importCsv } from '@trygg/devices';
import { serve } from '../serve.js';
import { actorOf, userIdOf } from './actor.js';

const importRoutes: FastifyPluginAsyncTypebox<{ pool: Pool }> = async (app, { pool }) => {
  // Read by the charset the upload declares (UTF-8 when none): a Latin-1 file is decoded as such
  // or refused, never stored as replacement characters.
  app.addContentTypeParser('text/csv', { parseAs: 'buffer', bodyLimit: IMPORT_MAX_BYTES }, (req, body, done) => {
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.headers['content-type'] ?? '')?.[1];
    try {
      done(null, decodeCsv(body as Buffer, charset));
    } catch (err) {
      done(err as Error, undefined);
    }
  });

  serve(
    app,
    API.importRegistry,
    { action: 'registry:import', audit: { entity: 'registry-import', subtype: 'operation' } },
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
        const refused: ImportRefused = {
          ...report,
          status: 'error',
          code: 'TRYGG_ERR_IMPORT_INVALID',
          message: `${report.invalid.length} invalid rows; nothing was imported`,
        };
        // The contract's 400 body (its `errorBodies`), not its success answer: sent as is.
        return reply.status(400).send(refused) as never;
      }
      return report;
    },
    { bodyLimit: IMPORT_MAX_BYTES },
  );
};
export default importRoutes;
