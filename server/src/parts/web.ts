/**
 * The web side: the Fastify app (REST API, the web app, /readyz, /metrics) with the live channel
 * attached to its server. Started last, so nobody reaches the API before every part behind it
 * runs; stopped first (live sockets, then HTTP), so people and probes are let go before the
 * gateways and the engine wind down.
 */
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.js';
import { started, type Part } from './part.js';

export interface Web {
  http: FastifyInstance;
}

declare module './part.js' {
  interface Parts {
    web: Web;
  }
}

export const web: Part<'web'> = {
  name: 'web',
  start: ({ config, logger, get, find, health }) =>
    started(logger, async (onStop) => {
      const db = get('database');
      const { tokens, verifier, lasting, links } = get('identity');
      const push = get('push');
      const { live } = get('live');
      const { engine } = get('engine');
      const { metrics } = get('ingress');
      const http = await buildApp({
        http: {
          idleTimeoutS: config.httpIdleTimeoutS,
          headersTimeoutS: config.httpHeadersTimeoutS,
          requestTimeoutS: config.httpRequestTimeoutS,
          connectionsPerAddress: config.httpConnectionsPerAddress,
        },
        onInstallationTest: (t) => live.publishTests([t]),
        installationTestWindowS: config.installationTestWindowS,
        // In external broker mode the broker holds the connections (revocation is its ACL's job).
        disconnectDevice: (id) => find('mqttBroker')?.gateway.disconnect(id),
        sipRealm: config.sipRealm,
        journalAlertAfterS: config.journalAlertAfterS,
        supervision: { flakyBelow: config.flakyBelow, userTestIntervalDays: config.userTestIntervalDays },
        verifier,
        lasting,
        links,
        lockout: { maxFailures: config.loginMaxFailures, lockSeconds: config.loginLockSeconds },
        publicUrl: config.publicUrl,
        unusualAccess: { residents: config.auditUnusualResidents, windowS: config.auditUnusualWindowS },
        onUnusualAccess: (alert) => live.publishUnusualAccess(alert),
        onBrokenGlass: (grant) => live.publishBrokenGlass(grant),
        onSessionEnded: (ended) => live.endSessions(ended),
        breakGlass: { maxResidents: config.breakGlassMaxResidents, windowS: config.breakGlassWindowS },
        push: { vapidPublicKey: push.vapidPublicKey, guard: push.guard, maxSubscriptions: config.pushMaxSubscriptions },
        online: (ids) => live.online(ids),
        metrics: { registry: metrics.registry, token: config.metricsToken },
        logger,
        pool: db.pool,
        engine,
        tokens,
        health,
      });
      // A signed-in live socket stops counting against its address's connection cap.
      live.attach(http.server, { established: (s) => http.connectionLimit.release(s) });
      await http.listen({ port: config.port, host: config.host });
      onStop(async () => {
        await live.close();
        await http.close();
      });
      return { http };
    }),
};
