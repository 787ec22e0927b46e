/** Liveness, readiness and the Prometheus metrics: for load balancers and scrapers, left out of /docs. */
import Type, { type Static } from 'typebox';
import { route } from './route.js';

/** Whether this node can store a device's event now, and what it checked. */
export const Readiness = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not-ready')]),
  database: Type.Boolean(),
  store: Type.Boolean(),
  broker: Type.Boolean(),
  /** Bound to the SMS gateway; absent when the node has none. Informative: it does not make the node not-ready. */
  sms: Type.Optional(Type.Boolean()),
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
