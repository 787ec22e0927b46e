/**
 * Supervision quality and user tests (docs/supervision.md): the technicians' flaky list, one
 * device's figures, marking an alarm as the resident's user test, the overdue user tests, and the
 * service's own events. Lists that name residents are audited reads.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { API, listServiceEvents, TryggError, type Pool, type ServiceEvent } from '@trygg/alarm-core';
import { deviceSupervisionQuality, flakyDevices, recordUserTest, userTestsDue } from '@trygg/devices';
import { serve } from './serve.js';

export interface SupervisionRouteOptions {
  pool: Pool;
  /** Default threshold of the flaky list (TRYGG_FLAKY_BELOW). */
  flakyBelow: number;
  /** Days after which a user test is overdue (TRYGG_USER_TEST_INTERVAL_DAYS). */
  userTestIntervalDays: number;
}

const supervision: FastifyPluginAsyncTypebox<SupervisionRouteOptions> = async (app, opts) => {
  const { pool } = opts;

  serve(app, API.flakyDevices, { action: 'supervision:read', audit: { entity: 'device', subtype: 'search' } }, async (req) => {
    const list = await flakyDevices(pool, req.query.below === undefined ? opts.flakyBelow : Number(req.query.below));
    req.audit.patients(list.devices.map((d) => d.residentId));
    return list;
  });

  serve(app, API.deviceSupervision, { action: 'supervision:read', audit: { entity: 'device', subtype: 'read' } }, async (req) => {
    const q = await deviceSupervisionQuality(pool, req.params.id);
    if (!q) throw new TryggError('TRYGG_ERR_DEVICE_UNKNOWN');
    req.audit.patients([q.residentId]);
    return q;
  });

  serve(app, API.recordUserTest, { action: 'user-test:write' }, async (req, reply) => {
    const t = await recordUserTest(pool, req.params.id, req.principal?.userId ?? null);
    reply.code(201);
    return t;
  });

  serve(app, API.userTestsDue, { action: 'supervision:read', audit: { entity: 'device', subtype: 'search' } }, async (req) => {
    const due = await userTestsDue(pool, opts.userTestIntervalDays, req.query.residentId ?? null);
    req.audit.patients(due.devices.map((d) => d.residentId));
    return due;
  });

  serve(app, API.serviceEvents, { action: 'service:read' }, async () => ({
    events: (await listServiceEvents(pool)) as ServiceEvent[],
  }));
};
export default supervision;
