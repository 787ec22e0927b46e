/**
 * The alarm, its states and its timeline: what the engine stores, what the REST API returns and
 * what live updates carry.
 */
import Type, { type Static } from 'typebox';
import { DeviceEventTypeSchema } from './device-event.js';

/**
 * open      raised; people are being alerted, nobody has taken it
 * claimed   someone took responsibility ("I'm going" / operator claim)
 * resolved  handled and closed by a person
 * cancelled closed by the device (cancel before anyone took it)
 */
export const ALARM_STATES = ['open', 'claimed', 'resolved', 'cancelled'] as const;
export type AlarmState = (typeof ALARM_STATES)[number];
export const AlarmStateSchema = Type.Enum(ALARM_STATES);
export const OPEN_STATES: readonly AlarmState[] = ['open', 'claimed'];

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
});
export type AlarmSubject = Static<typeof AlarmSubject>;

export const Alarm = Type.Object({
  id: Type.String({ format: 'uuid' }),
  type: DeviceEventTypeSchema,
  state: AlarmStateSchema,
  priority: Type.Integer(),
  subject: AlarmSubject,
  openedAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  closedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  claimedBy: Type.Union([Actor, Type.Null()]),
  /** Number of device events joined into this alarm (repeated presses). */
  eventCount: Type.Integer({ minimum: 1 }),
  /** The escalation chain copied onto the alarm when it opened. */
  chain: Type.Array(Type.String()),
  resolution: Type.Union([Type.Object({ note: Type.String() }), Type.Null()]),
  /** Optimistic version, +1 on every change. */
  version: Type.Integer({ minimum: 1 }),
});
export type Alarm = Static<typeof Alarm>;

export const TIMELINE_KINDS = [
  'opened',
  'event-joined',
  'notified',
  'claimed',
  'resolved',
  'cancelled',
  'cancel-ignored',
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
