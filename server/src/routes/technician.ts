/**
 * The technician's app: the technical and offline alarms they were alerted for. They accept and
 * resolve them through the alarm command route, where the reducer holds them to technical
 * alarms they were alerted for (alarm-core/src/engine/commands.ts).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { API, readTechnicianAlarms, type Pool } from '@trygg/alarm-core';
import { serve } from './serve.js';

const technician: FastifyPluginAsyncTypebox<{ pool: Pool }> = async (app, { pool }) => {
  serve(
    app,
    API.technicianAlarms,
    { action: 'technician:alarms', audit: { entity: 'alarm', subtype: 'search' } },
    async (req) => {
      const alarms = await readTechnicianAlarms(pool, req.principal?.userId ?? '');
      req.audit.patients(alarms.map((a) => a.subject.residentId));
      return { alarms };
    },
  );
};
export default technician;
