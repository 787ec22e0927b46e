/**
 * Supervision quality and the monthly user test (docs/supervision.md): each device's share of
 * heartbeat slots heard and longest silence over 24 hours and 30 days, the technicians' list of
 * devices below the threshold ("flaky before it fails"), user tests of alarm buttons and the ones
 * overdue, and the service's own events (starts, stops, ingress lost and restored).
 */
import Type, { type Static, type TSchema } from 'typebox';
import { Id } from '../device-event.js';
import { IdParams, route } from './route.js';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** One window's figures; `share` null when the device was not heard from in the window at all yet. */
export const QualityWindow = Type.Object({
  /** Heartbeat slots (one interval each) since the window began, or since the device was first heard from. */
  expected: Type.Integer({ minimum: 0 }),
  /** Of those, the slots with at least one message from the device. */
  heard: Type.Integer({ minimum: 0 }),
  share: Nullable(Type.Number({ minimum: 0, maximum: 1 })),
  /** The longest time without a message, seconds (to now, if it is silent now). */
  longestSilenceS: Nullable(Type.Integer({ minimum: 0 })),
});
export type QualityWindow = Static<typeof QualityWindow>;

export const SupervisionQuality = Type.Object({
  deviceId: Type.String(),
  kind: Type.String(),
  serial: Type.String(),
  residentId: Nullable(Type.String()),
  residentName: Nullable(Type.String()),
  heartbeatIntervalS: Type.Integer(),
  lastSeenAt: Nullable(Type.String({ format: 'date-time' })),
  day: QualityWindow,
  month: QualityWindow,
});
export type SupervisionQuality = Static<typeof SupervisionQuality>;

export const FlakyList = Type.Object({
  /** Devices heard in fewer than this share of their slots, in either window, are listed. */
  threshold: Type.Number(),
  devices: Type.Array(SupervisionQuality),
});
export type FlakyList = Static<typeof FlakyList>;

export const UserTest = Type.Object({
  deviceId: Type.String(),
  alarmId: Nullable(Type.String()),
  at: Type.String({ format: 'date-time' }),
  recordedBy: Nullable(Type.String()),
});
export type UserTest = Static<typeof UserTest>;

/** An alarm button whose monthly user test is due. */
export const UserTestDue = Type.Object({
  deviceId: Type.String(),
  kind: Type.String(),
  residentId: Type.String(),
  residentName: Type.String(),
  /** The last user test, null if none was ever recorded. */
  lastTestAt: Nullable(Type.String({ format: 'date-time' })),
  /** When the test became due (the last test, or the installation, plus the interval). */
  dueSince: Type.String({ format: 'date-time' }),
});
export type UserTestDue = Static<typeof UserTestDue>;

export const UserTestsDue = Type.Object({ intervalDays: Type.Integer(), devices: Type.Array(UserTestDue) });
export type UserTestsDue = Static<typeof UserTestsDue>;

export const ServiceEvent = Type.Object({
  at: Type.String({ format: 'date-time' }),
  node: Type.String(),
  kind: Type.Enum(['started', 'stopped', 'ingress-lost', 'ingress-restored', 'chain-failing', 'chain-late', 'chain-restored']),
  ingress: Nullable(Type.Enum(['mqtt', 'scaip'])),
  /** started: when the node was last known running (its outage began); restored: when ingress was lost. */
  since: Nullable(Type.String({ format: 'date-time' })),
});
export type ServiceEvent = Static<typeof ServiceEvent>;

const errors = [400, 401, 403, 404] as const;

export const supervisionApi = {
  flakyDevices: route({
    method: 'GET',
    path: '/api/supervision/flaky',
    tag: 'supervision',
    summary: 'Devices heard in fewer than the threshold share of their heartbeat slots (24 h or 30 days), worst first',
    query: Type.Object(
      // A share from 0 to 1 (`0.9`); query strings are strings.
      { below: Type.Optional(Type.String({ pattern: '^(0(\\.[0-9]{1,4})?|1(\\.0{1,4})?)$' })) },
      { additionalProperties: false },
    ),
    response: FlakyList,
    errors,
  }),
  deviceSupervision: route({
    method: 'GET',
    path: '/api/devices/:id/supervision',
    tag: 'supervision',
    summary: "A device's supervision quality: share of heartbeats heard and longest silence over 24 h and 30 days",
    params: IdParams,
    response: SupervisionQuality,
    errors,
  }),
  recordUserTest: route({
    method: 'POST',
    path: '/api/alarms/:id/user-test',
    tag: 'supervision',
    summary: "Mark an alarm as the resident's user test of the alarm button, made with the centre",
    params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
    response: UserTest,
    status: 201,
    errors: [400, 401, 403, 404, 409],
  }),
  userTestsDue: route({
    method: 'GET',
    path: '/api/user-tests/due',
    tag: 'supervision',
    summary: 'Alarm buttons whose monthly user test is overdue',
    query: Type.Object({ residentId: Type.Optional(Id) }, { additionalProperties: false }),
    response: UserTestsDue,
    errors,
  }),
  serviceEvents: route({
    method: 'GET',
    path: '/api/service-events',
    tag: 'supervision',
    summary: "The service's own events: starts (with the outage before), stops, device ingress lost and restored",
    response: Type.Object({ events: Type.Array(ServiceEvent) }),
    errors,
  }),
} as const;
