/** The HTTP application: plugins, routes, OpenAPI at /docs, the web app at /. */
import { existsSync } from 'node:fs';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AlarmEngine, Pool } from '@trygg/alarm-core';
import { DASHBOARD_DIST } from '@trygg/dashboard';
import type { Logger as PinoLogger } from 'pino';
import type { TokenService } from './auth/tokens.js';
import authPlugin from './plugins/auth.js';
import errorsPlugin from './plugins/errors.js';
import alarmRoutes from './routes/alarms.js';
import authRoutes from './routes/auth.js';
import healthRoutes, { type HealthChecks } from './routes/health.js';

export interface AppDeps {
  logger: PinoLogger;
  pool: Pool;
  engine: AlarmEngine;
  tokens: TokenService;
  checks: HealthChecks;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: 64 * 1024,
    trustProxy: false,
    // Refuse unknown properties instead of stripping them: stripping breaks unions (anyOf) and
    // hides client mistakes.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  await app.register(errorsPlugin);
  await app.register(swagger, {
    openapi: {
      info: { title: 'Trygg API', version: '0.1.0', description: 'Alarms, devices and people of a Trygg installation.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(authPlugin, { tokens: deps.tokens });
  await app.register(healthRoutes, { checks: deps.checks });
  await app.register(authRoutes, { pool: deps.pool, tokens: deps.tokens });
  await app.register(alarmRoutes, { pool: deps.pool, engine: deps.engine });
  if (existsSync(DASHBOARD_DIST)) {
    // The built web app: public assets, no personal data (that comes through the API).
    await app.register(fastifyStatic, { root: DASHBOARD_DIST, prefix: '/', wildcard: false, index: ['index.html'] });
    app.get('/', { config: { public: true }, schema: { hide: true } }, (_req, reply) => reply.sendFile('index.html'));
  } else {
    deps.logger.warn({ dir: DASHBOARD_DIST }, 'web app not built: run `npm run build -w @trygg/dashboard`');
  }
  return app;
}
