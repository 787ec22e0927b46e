/** Liveness and readiness: no personal data, so public. */
import type { FastifyPluginAsync } from 'fastify';

export interface HealthChecks {
  database(): Promise<boolean>;
  broker(): boolean;
}

const health: FastifyPluginAsync<{ checks: HealthChecks }> = async (app, { checks }) => {
  app.get('/healthz', { config: { public: true }, schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config: { public: true }, schema: { hide: true } }, async (_req, reply) => {
    const [database, broker] = await Promise.all([checks.database().catch(() => false), Promise.resolve(checks.broker())]);
    const ready = database && broker;
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not-ready', database, broker });
  });
};
export default health;
