/** The alarm queue and the commands operators give. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  API,
  TryggError,
  getAlarm,
  getTimeline,
  listOpenAlarms,
  timelineHead,
  type AlarmEngine,
  type Pool,
} from '@trygg/alarm-core';
import { actorRole } from '../actor.js';
import { serve } from './serve.js';

const alarms: FastifyPluginAsyncTypebox<{ pool: Pool; engine: AlarmEngine }> = async (app, { pool, engine }) => {
  serve(app, API.listAlarms, { action: 'alarm:list', audit: { entity: 'alarm', subtype: 'search' } }, async (req) => {
    // Head first: an update committed between the two reads is then delivered again, never lost.
    const head = await timelineHead(pool);
    const alarms = await listOpenAlarms(pool);
    req.audit.patients(alarms.map((a) => a.subject.residentId));
    return { head, alarms };
  });

  serve(app, API.getAlarm, { action: 'alarm:read', audit: { entity: 'alarm', subtype: 'read' } }, async (req) => {
    const alarm = await getAlarm(pool, req.params.id);
    if (!alarm) throw new TryggError('TRYGG_ERR_ALARM_NOT_FOUND');
    req.audit.patients([alarm.subject.residentId]);
    const [timeline, deliveries] = await Promise.all([getTimeline(pool, alarm.id), engine.deliveries.ofAlarm(alarm.id)]);
    return { alarm, timeline, deliveries };
  });

  serve(app, API.alarmCommand, { action: 'alarm:command' }, async (req) => {
    const p = req.principal;
    if (!p) throw new TryggError('TRYGG_ERR_UNAUTHENTICATED');
    const role = actorRole(p);
    const { alarm } = await engine.command(req.params.id, req.body, { userId: p.userId, name: p.name, role });
    return { alarm };
  });
};
export default alarms;
