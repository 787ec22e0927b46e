/**
 * Prometheus `/metrics`. Not personal data, but it tells an outsider how busy the service is:
 * with TRYGG_METRICS_TOKEN set it needs `Authorization: Bearer <token>`; without, it answers
 * only requests from this machine (a scraper beside the service, or a tunnel).
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Registry } from 'prom-client';
import { API, TryggError } from '@trygg/alarm-core';
import { bearer } from '../plugins/auth.js';
import { serve } from './serve.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const metrics: FastifyPluginAsyncTypebox<{ registry: Registry; token: string | null }> = async (app, { registry, token }) => {
  serve(app, API.metrics, { public: true }, async (req, reply) => {
    if (token !== null) {
      const given = bearer(req);
      if (!given || !sameToken(given, token)) throw new TryggError('TRYGG_ERR_UNAUTHENTICATED');
    } else if (!LOOPBACK.has(req.socket.remoteAddress ?? '')) {
      throw new TryggError('TRYGG_ERR_FORBIDDEN', '/metrics answers only this machine unless TRYGG_METRICS_TOKEN is set');
    }
    return reply.type(registry.contentType).send(await registry.metrics());
  });
};
export default metrics;
