/** The technician's alarms: the technical and offline alarms they were alerted for. */
import Type, { type Static } from 'typebox';
import { Alarm } from '../alarm.js';
import { route, SIGNED_IN } from './route.js';

/** Open technical alarms the technician was alerted for or took, then those closed in the last 7 days. */
export const TechnicianAlarms = Type.Object({ alarms: Type.Array(Alarm) });
export type TechnicianAlarms = Static<typeof TechnicianAlarms>;

export const technicianApi = {
  technicianAlarms: route({
    method: 'GET',
    path: '/api/technician/alarms',
    tag: 'technician',
    summary: 'The technical and offline alarms the signed-in technician was alerted for (open, and closed in the last 7 days)',
    response: TechnicianAlarms,
    errors: [...SIGNED_IN],
  }),
} as const;
