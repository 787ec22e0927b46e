/** The alarm queue and the commands operators give. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import {
  Alarm,
  AlarmCommand,
  ErrorEnvelope,
  TimelineEntry,
  TryggError,
  getAlarm,
  getTimeline,
  listOpenAlarms,
  timelineHead,
  type AlarmEngine,
  type Pool,
} from '@trygg/alarm-core';
import { actorRole } from '../actor.js';

const Params = Type.Object({ id: Type.String({ format: 'uuid' }) });
const errors = { 400: ErrorEnvelope, 401: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope, 409: ErrorEnvelope };

const alarms: FastifyPluginAsyncTypebox<{ pool: Pool; engine: AlarmEngine }> = async (app, { pool, engine }) => {
  app.get(
    '/api/alarms',
    {
      config: { action: 'alarm:list', audit: { entity: 'alarm', subtype: 'search' } },
      schema: {
        tags: ['alarms'],
        response: { 200: Type.Object({ alarms: Type.Array(Alarm), head: Type.Integer() }), ...errors },
      },
    },
    async (req) => {
      // Head first: an update committed between the two reads is then delivered again, never lost.
      const head = await timelineHead(pool);
      const alarms = await listOpenAlarms(pool);
      req.audit.patients(alarms.map((a) => a.subject.residentId));
      return { head, alarms };
    },
  );

  app.get(
    '/api/alarms/:id',
    {
      config: { action: 'alarm:read', audit: { entity: 'alarm', subtype: 'read' } },
      schema: {
        tags: ['alarms'],
        params: Params,
        response: { 200: Type.Object({ alarm: Alarm, timeline: Type.Array(TimelineEntry) }), ...errors },
      },
    },
    async (req) => {
      const alarm = await getAlarm(pool, req.params.id);
      if (!alarm) throw new TryggError('TRYGG_ERR_ALARM_NOT_FOUND');
      req.audit.patients([alarm.subject.residentId]);
      return { alarm, timeline: await getTimeline(pool, alarm.id) };
    },
  );

  app.post(
    '/api/alarms/:id/commands',
    {
      config: { action: 'alarm:command' },
      schema: {
        tags: ['alarms'],
        params: Params,
        body: AlarmCommand,
        response: { 200: Type.Object({ alarm: Alarm }), ...errors },
      },
    },
    async (req) => {
      const p = req.principal;
      if (!p) throw new TryggError('TRYGG_ERR_UNAUTHENTICATED');
      const role = actorRole(p);
      const { alarm } = await engine.command(req.params.id, req.body, { userId: p.userId, name: p.name, role });
      return { alarm };
    },
  );
};
export default alarms;
