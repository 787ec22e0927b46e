/** Liveness, readiness and the Prometheus metrics: for load balancers and scrapers, left out of /docs. */
import Type, { type Static } from 'typebox';
import { route } from './route.js';

const Nullable = <T extends Type.TSchema>(t: T) => Type.Union([t, Type.Null()]);

/**
 * Every integration a node reports on, in the order `/readyz` and the operator page list them.
 * `event-store` is the event stores themselves succeeding (a full disk), beside the database
 * answering; `synthetic-chain` is the self-test's verdict; `sms` the SMS gateway.
 */
export const INTEGRATIONS = [
  'database',
  'event-store',
  'mqtt',
  'sip',
  'journal',
  'push',
  'sms',
  'redis',
  'identity-provider',
  'synthetic-chain',
] as const;
export type IntegrationName = (typeof INTEGRATIONS)[number];

/**
 * ok: works. degraded: works in part, or is failing but alarms still travel (a journal behind).
 * down: does not work. not-configured: this node has none (no journal, no Redis, SIP off).
 */
export const INTEGRATION_STATES = ['ok', 'degraded', 'down', 'not-configured'] as const;
export type IntegrationState = (typeof INTEGRATION_STATES)[number];

/** One integration as this node sees it now. */
export const IntegrationHealth = Type.Object({
  name: Type.Enum(INTEGRATIONS),
  state: Type.Enum(INTEGRATION_STATES),
  /** Down makes the node not ready (503): without it the node cannot take alarms. */
  fatal: Type.Boolean(),
  /** When it entered this state (as far as this node knows), e.g. "not reachable since". */
  since: Nullable(Type.String({ format: 'date-time' })),
  /** The last time it was seen working (a listener listening, a delivery taken, a probe answered). */
  lastSuccessAt: Nullable(Type.String({ format: 'date-time' })),
  /** One line in English for logs and operators of the service ("3 pushes failed in 15 min"). */
  detail: Type.String(),
  /** Records waiting for it (the journal outbox): how many, and the oldest's age in seconds. */
  waiting: Type.Optional(Type.Integer({ minimum: 0 })),
  oldestWaitingS: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
  /** Failed attempts in the recent window (push, SMS). */
  recentFailures: Type.Optional(Type.Integer({ minimum: 0 })),
});
export type IntegrationHealth = Static<typeof IntegrationHealth>;

/**
 * Whether this node can store a device's event now, and what it checked: the three booleans of
 * old (kept for probes that read them) and every integration by name.
 */
export const Readiness = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not-ready')]),
  /** The database answers and takes writes. */
  database: Type.Boolean(),
  /** Recent event stores are not failing. */
  store: Type.Boolean(),
  /** Device ingress (MQTT, SIP) is up. */
  broker: Type.Boolean(),
  integrations: Type.Array(IntegrationHealth),
});
export type Readiness = Static<typeof Readiness>;

export const healthApi = {
  liveness: route({
    method: 'GET',
    path: '/healthz',
    tag: 'health',
    summary: 'The process answers',
    response: Type.Object({ status: Type.Literal('ok') }),
    errors: [],
    hidden: true,
  }),
  readiness: route({
    method: 'GET',
    path: '/readyz',
    tag: 'health',
    summary: "This node can store a device's event now (503 with the same body when not)",
    response: Readiness,
    errors: [503],
    errorBodies: { 503: Readiness },
    hidden: true,
  }),
  metrics: route({
    method: 'GET',
    path: '/metrics',
    tag: 'health',
    summary: 'Prometheus metrics (a bearer token, or this machine only)',
    produces: 'text/plain; version=0.0.4',
    errors: [401, 403],
    hidden: true,
  }),
} as const;
