/** The alarm queue, one alarm with its timeline, and the commands people give. */
import Type, { type Static } from 'typebox';
import { Alarm, TimelineEntry } from '../alarm.js';
import { AlarmCommand } from '../commands.js';
import { NamedDeliveryFact } from '../deliveries.js';
import { route, UuidParams } from './route.js';

const errors = [400, 401, 403, 404, 409] as const;

export const AlarmList = Type.Object({
  alarms: Type.Array(Alarm),
  /** The live stream's resume point: updates after it are sent on the socket. */
  head: Type.Integer(),
});

export type AlarmList = Static<typeof AlarmList>;

export const AlarmWithTimeline = Type.Object({
  alarm: Alarm,
  timeline: Type.Array(TimelineEntry),
  /** What became of each notification on each channel, oldest first (the card's "SMS delivered 13:35:02"). */
  deliveries: Type.Array(NamedDeliveryFact),
});
export type AlarmWithTimeline = Static<typeof AlarmWithTimeline>;

export const alarmsApi = {
  listAlarms: route({
    method: 'GET',
    path: '/api/alarms',
    tag: 'alarms',
    summary: 'The open alarms, most urgent first',
    response: AlarmList,
    errors,
  }),
  getAlarm: route({
    method: 'GET',
    path: '/api/alarms/:id',
    tag: 'alarms',
    summary: 'One alarm with its timeline and its delivery facts',
    params: UuidParams,
    response: AlarmWithTimeline,
    errors,
  }),
  alarmCommand: route({
    method: 'POST',
    path: '/api/alarms/:id/commands',
    tag: 'alarms',
    summary: 'Claim, accept, decline, report arrival, resolve, dispatch, note (idempotent by command id)',
    params: UuidParams,
    body: AlarmCommand,
    response: Type.Object({ alarm: Alarm }),
    errors,
  }),
} as const;
