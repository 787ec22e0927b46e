/**
 * Liveness and readiness: no personal data, so public. Readiness means "this node can store a
 * device's event now" (see store-health.ts); it answers within `READY_TIMEOUT_MS` whatever the
 * database does, because a check that hangs is read as "up" by nobody and as a hang by everybody.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { API } from '@trygg/alarm-core';
import { serve } from './serve.js';

export interface HealthChecks {
  /** The database answers on the alarm path's connections and takes writes. */
  database(): Promise<boolean>;
  /** Recent event stores are not failing. */
  store(): boolean;
  broker(): boolean;
  /** Bound to the SMS gateway; null when the node has none. */
  sms(): boolean | null;
}

/** The longest `/readyz` waits for the database before it answers 503. */
export const READY_TIMEOUT_MS = 2_000;

/** `promise`'s value, or `fallback` once `ms` have passed. */
async function within<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<T>((resolve) => (timer = setTimeout(() => resolve(fallback), ms)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

const health: FastifyPluginAsyncTypebox<{ checks: HealthChecks }> = async (app, { checks }) => {
  // One database probe at a time, however often /readyz is asked (it is public): callers that
  // come while one is in flight share its answer, so a hung database never collects a pile of them.
  let probe: Promise<boolean> | null = null;
  const database = () => {
    probe ??= checks
      .database()
      .catch(() => false)
      .finally(() => {
        probe = null;
      });
    return within(probe, READY_TIMEOUT_MS, false);
  };

  serve(app, API.liveness, { public: true }, async () => ({ status: 'ok' as const }));
  serve(app, API.readiness, { public: true }, async (_req, reply) => {
    const db = await database();
    const store = checks.store();
    const broker = checks.broker();
    const ready = db && store && broker;
    // Not ready is 503 with the same body (the contract's 503), so a balancer and a person both see why.
    reply.code(ready ? 200 : 503);
    const sms = checks.sms();
    return {
      status: ready ? ('ready' as const) : ('not-ready' as const),
      database: db,
      store,
      broker,
      ...(sms === null ? {} : { sms }),
    };
  });
};
export default health;
