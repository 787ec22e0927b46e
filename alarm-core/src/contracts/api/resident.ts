/**
 * The resident card for the operator handling an alarm, and the key-safe code (a separate
 * request, answered only to the operator who claimed the open alarm, audited either way).
 */
import Type, { type Static } from 'typebox';
import { AlarmStateSchema } from '../alarm.js';
import { DeviceEventTypeSchema } from '../device-event.js';
import { ALERT_STATES } from '../escalation.js';
import { DEVICE_STATUSES } from '../registry.js';
import { route, UuidParams } from './route.js';

const Nullable = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Number>>(t: T) =>
  Type.Union([t, Type.Null()]);

/** A relative's state in this alarm: their alert's state, or `not-alerted`. */
export const RELATIVE_ALARM_STATES = [...ALERT_STATES, 'not-alerted'] as const;
export type RelativeAlarmState = (typeof RELATIVE_ALARM_STATES)[number];

/** A device's health as the card shows it (the rule of heartbeat supervision). */
export const DEVICE_HEALTHS = ['ok', 'silent', 'low-battery', 'never-seen'] as const;
export type DeviceHealth = (typeof DEVICE_HEALTHS)[number];

export const ResidentCard = Type.Object({
  resident: Type.Object({
    id: Type.String(),
    name: Type.String(),
    address: Nullable(Type.String()),
    mapUrl: Nullable(Type.String()),
    notes: Nullable(Type.String()),
    language: Type.String(),
    hasKeySafe: Type.Boolean(),
  }),
  relatives: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      relation: Nullable(Type.String()),
      phone: Nullable(Type.String()),
      state: Type.Enum(RELATIVE_ALARM_STATES),
    }),
  ),
  devices: Type.Array(
    Type.Object({
      id: Type.String(),
      kind: Type.String(),
      status: Type.Enum(DEVICE_STATUSES),
      lastSeenAt: Nullable(Type.String()),
      battery: Nullable(Type.Number()),
      rssi: Nullable(Type.Number()),
      /** silent = missed heartbeats. */
      health: Type.Enum(DEVICE_HEALTHS),
    }),
  ),
  /** The resident's other alarms, newest first (ten at most). */
  recent: Type.Array(
    Type.Object({
      id: Type.String(),
      type: DeviceEventTypeSchema,
      state: AlarmStateSchema,
      openedAt: Type.String(),
      closedAt: Nullable(Type.String()),
    }),
  ),
});
export type ResidentCard = Static<typeof ResidentCard>;

/** The key safe and the digital lock, whichever the home has (joined by ` · `), or null. */
export const KeySafe = Type.Object({ keySafe: Nullable(Type.String()) });
export type KeySafe = Static<typeof KeySafe>;

const errors = [400, 401, 403, 404, 409] as const;

export const residentApi = {
  residentCard: route({
    method: 'GET',
    path: '/api/alarms/:id/resident',
    tag: 'alarms',
    summary: "The alarm's resident: address, notes, relatives and their state, devices, recent alarms",
    params: UuidParams,
    response: ResidentCard,
    errors,
  }),
  revealKeySafe: route({
    method: 'POST',
    path: '/api/alarms/:id/key-safe',
    tag: 'alarms',
    summary: 'The key-safe code, for the operator who claimed the open alarm only (audited, refusals too)',
    params: UuidParams,
    response: KeySafe,
    errors,
  }),
} as const;
