/**
 * The alarm, its states and its timeline: what the engine stores, what the REST API returns and
 * what live updates carry.
 */
import Type, { type Static } from 'typebox';
import { DeviceEventTypeSchema } from './device-event.js';
import { Escalation } from './escalation.js';

/**
 * open      raised; people are being alerted, nobody has taken it
 * claimed   someone took responsibility ("I'm going" / operator claim)
 * arrived   the one who took it is with the person
 * resolved  handled and closed (by a person, or cleared by the system for a technical alarm)
 * cancelled closed by the device (cancel before anyone took it)
 */
export const ALARM_STATES = ['open', 'claimed', 'arrived', 'resolved', 'cancelled'] as const;
export type AlarmState = (typeof ALARM_STATES)[number];
export const AlarmStateSchema = Type.Enum(ALARM_STATES);

/** Care alarms and technical alarms of one device are separate: a press never joins a battery alarm. */
export const ALARM_CLASSES = ['care', 'technical'] as const;
export type AlarmClass = (typeof ALARM_CLASSES)[number];

/** Who a person is in an alarm. */
export const Actor = Type.Object({
  userId: Type.String(),
  name: Type.String(),
  role: Type.String(),
});
export type Actor = Static<typeof Actor>;

/** Where the alarm comes from, copied from the registry when the alarm opens. */
export const AlarmSubject = Type.Object({
  deviceId: Type.String(),
  residentId: Type.Union([Type.String(), Type.Null()]),
  residentName: Type.Union([Type.String(), Type.Null()]),
  siteId: Type.Union([Type.String(), Type.Null()]),
  siteName: Type.Union([Type.String(), Type.Null()]),
  address: Type.Union([Type.String(), Type.Null()]),
  room: Type.Union([Type.String(), Type.Null()]),
  /** The floor of the room, in an institution (its name). */
  floor: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  /** Where in the home the device sits (from its installation), e.g. "bathroom". */
  location: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});
export type AlarmSubject = Static<typeof AlarmSubject>;

export const Alarm = Type.Object({
  id: Type.String({ format: 'uuid' }),
  type: DeviceEventTypeSchema,
  class: Type.Enum(ALARM_CLASSES),
  state: AlarmStateSchema,
  priority: Type.Integer(),
  subject: AlarmSubject,
  openedAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  closedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  claimedBy: Type.Union([Actor, Type.Null()]),
  arrivedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  /** Number of device events joined into this alarm (repeated presses). */
  eventCount: Type.Integer({ minimum: 1 }),
  /** The chain, the roster and how far the escalation has come. */
  escalation: Escalation,
  resolution: Type.Union([
    Type.Object({
      note: Type.String(),
      cause: Type.Union([Type.String(), Type.Null()]),
      action: Type.Union([Type.String(), Type.Null()]),
    }),
    Type.Null(),
  ]),
  /** Optimistic version, +1 on every change. */
  version: Type.Integer({ minimum: 1 }),
});
export type Alarm = Static<typeof Alarm>;

export const TIMELINE_KINDS = [
  'opened',
  'event-joined',
  'notified',
  'skipped',
  'unreachable',
  'waiting',
  'escalated',
  'exhausted',
  'declined',
  'claimed',
  'withdrawn',
  'realerted',
  'follow-up-due',
  'arrived',
  'dispatched',
  'resolved',
  'cancelled',
  'cancel-ignored',
  'cleared',
] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export const TimelineEntry = Type.Object({
  /** Global, strictly increasing in commit order: the live stream's resume point. */
  seq: Type.Integer({ minimum: 1 }),
  alarmId: Type.String(),
  at: Type.String({ format: 'date-time' }),
  kind: Type.Enum(TIMELINE_KINDS),
  actor: Type.Union([Actor, Type.Null()]),
  data: Type.Record(Type.String(), Type.Unknown()),
});
export type TimelineEntry = Static<typeof TimelineEntry>;
