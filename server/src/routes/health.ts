/**
 * Liveness and readiness: no personal data, so public. Readiness means "this node can take
 * alarms now": every integration by name with its state and last success (health/registry.ts),
 * and 503 only when a fatal one is down (the database, the event stores, MQTT, SIP; see the
 * registry's header for why the others are not). It answers within the registry's check timeout
 * whatever an integration does, because a check that hangs is read as "up" by nobody and as a
 * hang by everybody.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { API } from '@trygg/alarm-core';
import { isReady, type HealthRegistry } from '../health/registry.js';
import { serve } from './serve.js';

const health: FastifyPluginAsyncTypebox<{ registry: HealthRegistry }> = async (app, { registry }) => {
  serve(app, API.liveness, { public: true }, async () => ({ status: 'ok' as const }));
  serve(app, API.readiness, { public: true }, async (_req, reply) => {
    const integrations = await registry.snapshot();
    const ready = isReady(integrations);
    const up = (name: string) => integrations.find((i) => i.name === name)?.state !== 'down';
    // Not ready is 503 with the same body (the contract's 503), so a balancer and a person both see why.
    reply.code(ready ? 200 : 503);
    return {
      status: ready ? ('ready' as const) : ('not-ready' as const),
      database: up('database'),
      store: up('event-store'),
      broker: up('mqtt') && up('sip'),
      integrations,
    };
  });
};
export default health;
