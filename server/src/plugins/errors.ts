/** Every error leaves as an envelope `{ status: 'error', code, message }`, never a stack trace. */
import fp from 'fastify-plugin';
import type { FastifyError, FastifyInstance } from 'fastify';
import { errorEnvelope, ERRORS, TryggError, isStoreUnavailable } from '@trygg/alarm-core';

export default fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler((err: FastifyError, req, reply) => {
      if (err instanceof TryggError) {
        if (err.status >= 500) req.log.error({ err, code: err.code }, err.message);
        else req.log.info({ code: err.code }, err.message);
        return reply.status(err.status).send(errorEnvelope(err));
      }
      if (err.validation) {
        req.log.info({ code: 'TRYGG_ERR_VALIDATION', detail: err.message }, 'request refused');
        return reply.status(400).send({ status: 'error', code: 'TRYGG_ERR_VALIDATION', message: err.message });
      }
      if (err.statusCode && err.statusCode < 500) {
        const code =
          err.statusCode === 413
            ? 'TRYGG_ERR_PAYLOAD_TOO_LARGE'
            : err.statusCode === 404
              ? 'TRYGG_ERR_NOT_FOUND'
              : 'TRYGG_ERR_VALIDATION';
        req.log.info({ code, detail: err.message }, 'request refused');
        return reply.status(err.statusCode).send({ status: 'error', code, message: err.message });
      }
      // The database unreachable, hung (a timeout) or unable to work (disk full): not a bug, and
      // not for ever. 503 and a retry hint, so a client waits and tries again.
      if (isStoreUnavailable(err)) {
        req.log.error({ err, code: 'TRYGG_ERR_STORE_UNAVAILABLE' }, 'database unavailable');
        return reply
          .status(503)
          .header('retry-after', '5')
          .send(errorEnvelope(new TryggError('TRYGG_ERR_STORE_UNAVAILABLE')));
      }
      req.log.error({ err, code: 'TRYGG_ERR_INTERNAL' }, 'unhandled error');
      return reply.status(500).send({ status: 'error', code: 'TRYGG_ERR_INTERNAL', message: ERRORS.TRYGG_ERR_INTERNAL.message });
    });
    app.setNotFoundHandler((req, reply) => {
      reply.status(404).send({ status: 'error', code: 'TRYGG_ERR_NOT_FOUND', message: `${req.method} ${req.url} not found` });
    });
  },
  { name: 'trygg-errors' },
);
