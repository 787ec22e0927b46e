/** The HTTP application: plugins, routes, OpenAPI at /docs, the web app at /. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AlarmEngine, InstallationTest, LivePayload, Pool } from '@trygg/alarm-core';
import { DASHBOARD_DIST } from '@trygg/dashboard';
import type { Logger as PinoLogger } from 'pino';
import type { LastingSignIns } from './auth/lasting.js';
import type { SignInLinks } from './auth/signin-links.js';
import type { TokenService } from './auth/tokens.js';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import { TryggError } from '@trygg/alarm-core';
import type { LockoutPolicy } from '@trygg/devices';
import type { AccessVerifier } from './auth/verifier.js';
import auditPlugin, { type UnusualAccess } from './plugins/audit.js';
import authPlugin from './plugins/auth.js';
import connectionLimits from './plugins/connection-limits.js';
import errorsPlugin from './plugins/errors.js';
import inputGuard from './plugins/input-guard.js';
import relativeView from './plugins/relative-view.js';
import securityHeaders, { docsCsp } from './plugins/security-headers.js';
import alarmRoutes from './routes/alarms.js';
import auditRoutes from './routes/audit.js';
import breakGlassRoutes from './routes/break-glass.js';
import dataRoutes from './routes/data.js';
import authRoutes, { type SessionEnded } from './routes/auth.js';
import type { HealthRegistry } from './health/registry.js';
import healthRoutes from './routes/health.js';
import journalAdminRoutes from './routes/journal-admin.js';
import journalRoutes from './routes/journal.js';
import oauthRoutes from './routes/oauth.js';
import oidcRoutes from './routes/oidc.js';
import metricsRoutes from './routes/metrics.js';
import policyRoutes from './routes/policies.js';
import registryRoutes from './routes/registry/index.js';
import pushRoutes, { type PushRouteOptions } from './routes/push.js';
import relativeRoutes from './routes/relatives.js';
import signInRoutes from './routes/signin.js';
import residentRoutes from './routes/resident.js';
import staffRoutes from './routes/staff.js';
import technicianRoutes from './routes/technician.js';
import reachRoutes from './routes/reach.js';
import statisticsRoutes from './routes/statistics.js';
import supervisionRoutes from './routes/supervision.js';
import telemetryRoutes from './routes/telemetry.js';
import type { Registry } from 'prom-client';

/** How long a connection may idle or take over its request, and how many one address may hold. */
export interface HttpLimits {
  idleTimeoutS: number;
  headersTimeoutS: number;
  requestTimeoutS: number;
  connectionsPerAddress: number;
}

export interface AppDeps {
  http: HttpLimits;
  logger: PinoLogger;
  pool: Pool;
  engine: AlarmEngine;
  tokens: TokenService;
  /** Every integration's health, for /readyz. */
  health: HealthRegistry;
  journalAlertAfterS: number;
  /** The flaky list's default threshold and the user test interval (routes/supervision.ts). */
  supervision: { flakyBelow: number; userTestIntervalDays: number };
  verifier: AccessVerifier;
  /** Lasting sign-in on people's own phones, and sign-in links. */
  lasting: LastingSignIns;
  links: SignInLinks;
  lockout: LockoutPolicy;
  publicUrl: string | null;
  /** The SCAIP receiver's digest realm, which credentials the registry issues are bound to. */
  sipRealm: string;
  /** When one user's record openings are unusual, and who hears of it. */
  unusualAccess: { residents: number; windowS: number };
  onUnusualAccess: (alert: UnusualAccess) => void;
  /** A session was signed out here: its live sockets must close now. */
  onSessionEnded: (ended: SessionEnded) => void;
  /** Someone broke the glass: the administrators must hear of it. */
  onBrokenGlass: (grant: LivePayload<'access:break-glass'>) => void;
  /** How many different residents one person may open by breaking the glass, within how long. */
  breakGlass: { maxResidents: number; windowS: number };
  /** Tells technicians' screens about installation tests (the live server). */
  onInstallationTest: (test: InstallationTest) => void;
  /** Seconds a device has to send its test event after the technician starts a test. */
  installationTestWindowS: number;
  /** Closes a device's MQTT connection (revoked credentials, returned device). */
  disconnectDevice: (deviceId: string) => void;
  push: PushRouteOptions;
  /** Who of these people have the app open now (the live server's presence). */
  online: (userIds: readonly string[]) => Promise<Set<string>>;
  /** Prometheus metrics and the token guarding them (null = this machine only). */
  metrics: { registry: Registry; token: string | null };
}

/** Sign-in and token requests one address may make per minute. */
const SIGN_IN_ATTEMPTS_PER_MINUTE = 20;

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const loggerInstance: FastifyBaseLogger = deps.logger;
  const { idleTimeoutS, headersTimeoutS, requestTimeoutS } = deps.http;
  const app = Fastify({
    loggerInstance,
    bodyLimit: 64 * 1024,
    trustProxy: false,
    // Half-sent headers are closed after the header timeout (one that sent nothing at all: see
    // plugins/connection-limits.ts), a request still arriving after the request timeout, an
    // idle keep-alive connection or a silent socket after the idle timeout.
    connectionTimeout: idleTimeoutS * 1000,
    keepAliveTimeout: idleTimeoutS * 1000,
    requestTimeout: requestTimeoutS * 1000,
    http: {
      headersTimeout: headersTimeoutS * 1000,
      // How often Node looks for connections over the header or request timeout.
      connectionsCheckingInterval: Math.min(Math.max(headersTimeoutS * 250, 250), 5_000),
    },
    // Refuse unknown properties instead of stripping them: stripping breaks unions (anyOf) and
    // hides client mistakes.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  await app.register(connectionLimits, { perAddress: deps.http.connectionsPerAddress, silentMs: headersTimeoutS * 1000 });
  await app.register(errorsPlugin);
  await app.register(inputGuard);
  const tls = deps.publicUrl?.startsWith('https://') ?? false;
  await app.register(securityHeaders, { tls });
  await app.register(swagger, {
    openapi: {
      info: { title: 'Trygg API', version: '0.1.0', description: 'Alarms, devices and people of a Trygg installation.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearer: [] }],
    },
  });
  // Public on purpose: the API's shape (from the contracts) is no secret, and every route it
  // describes still needs a token. Under its own CSP for swagger-ui's inline bootstrap.
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true, transformStaticCSP: docsCsp(tls) });
  await app.register(formbody);
  await app.register(cookie);
  // Per-address limits only where a route asks for one (sign-in, tokens): guessing gets slow.
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: () => new TryggError('TRYGG_ERR_RATE_LIMITED'),
  });
  await app.register(authPlugin, { verify: (t) => deps.verifier.verify(t), verifyAction: (t) => deps.verifier.verifyAction(t) });
  await app.register(auditPlugin, { pool: deps.pool, unusual: deps.unusualAccess, onUnusual: deps.onUnusualAccess });
  await app.register(relativeView, { pool: deps.pool });
  await app.register(healthRoutes, { registry: deps.health });
  const attemptsPerMinute = SIGN_IN_ATTEMPTS_PER_MINUTE;
  await app.register(authRoutes, {
    pool: deps.pool,
    tokens: deps.tokens,
    sessions: deps.verifier.sessions,
    lasting: deps.lasting,
    lockout: deps.lockout,
    attemptsPerMinute,
    onSessionEnded: deps.onSessionEnded,
  });
  await app.register(oauthRoutes, { pool: deps.pool, tokens: deps.tokens, attemptsPerMinute });
  await app.register(signInRoutes, {
    tokens: deps.tokens,
    sessions: deps.verifier.sessions,
    lasting: deps.lasting,
    links: deps.links,
    attemptsPerMinute,
    onSessionEnded: deps.onSessionEnded,
  });
  await app.register(oidcRoutes, {
    tokens: deps.tokens,
    verifier: deps.verifier,
    publicUrl: deps.publicUrl,
    linkBySms: () => deps.links.canSend,
  });
  await app.register(alarmRoutes, { pool: deps.pool, engine: deps.engine });
  await app.register(policyRoutes, { pool: deps.pool });
  await app.register(journalRoutes, { pool: deps.pool });
  await app.register(auditRoutes, { pool: deps.pool });
  await app.register(dataRoutes, { pool: deps.pool });
  await app.register(breakGlassRoutes, { pool: deps.pool, onBroken: deps.onBrokenGlass, limit: deps.breakGlass });
  await app.register(journalAdminRoutes, { pool: deps.pool, alertAfterS: deps.journalAlertAfterS });
  await app.register(registryRoutes, {
    pool: deps.pool,
    onTest: deps.onInstallationTest,
    testWindowS: deps.installationTestWindowS,
    disconnect: deps.disconnectDevice,
    sipRealm: deps.sipRealm,
  });
  await app.register(pushRoutes, { pool: deps.pool, engine: deps.engine, ...deps.push });
  await app.register(residentRoutes, { pool: deps.pool });
  await app.register(statisticsRoutes, { pool: deps.pool });
  await app.register(relativeRoutes, { pool: deps.pool, lasting: deps.lasting });
  await app.register(staffRoutes, { pool: deps.pool, online: deps.online });
  await app.register(technicianRoutes, { pool: deps.pool });
  await app.register(reachRoutes, { pool: deps.pool, channelKinds: () => deps.engine.channelKinds });
  await app.register(telemetryRoutes, { pool: deps.pool });
  await app.register(supervisionRoutes, { pool: deps.pool, ...deps.supervision });
  await app.register(metricsRoutes, deps.metrics);
  if (existsSync(DASHBOARD_DIST)) {
    // The built web app: public assets only (personal data comes through the API). One public
    // wildcard route; sendFile refuses paths outside the folder; unknown paths get the app shell.
    await app.register(fastifyStatic, { root: DASHBOARD_DIST, serve: false });
    app.get('/*', { config: { public: true }, schema: { hide: true } }, async (req, reply) => {
      const file = (req.params as { '*': string })['*'];
      if (file.startsWith('api/') || file.startsWith('socket.io/')) {
        return reply.status(404).send({ status: 'error', code: 'TRYGG_ERR_NOT_FOUND', message: `${req.url} not found` });
      }
      const known = file !== '' && existsSync(path.join(DASHBOARD_DIST, file));
      return reply.sendFile(known ? file : 'index.html');
    });
  } else {
    deps.logger.warn({ dir: DASHBOARD_DIST }, 'web app not built: run `npm run build -w @trygg/dashboard`');
  }
  return app;
}
