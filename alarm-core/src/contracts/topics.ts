/**
 * MQTT topics of the device protocol (v1) and what travels on each.
 * `{deviceId}` is the device's MQTT client id and username.
 */
import Type, { type Static } from 'typebox';
import { DeviceEventPayload, TelemetrySample } from './device-event.js';

export const TOPIC_PREFIX = 'trygg/v1/devices';

export const DeviceFeedback = Type.Union([
  Type.Object({ type: Type.Literal('received'), eventId: Type.String(), alarmId: Type.Union([Type.String(), Type.Null()]) }),
  Type.Object({ type: Type.Literal('accepted'), alarmId: Type.String(), by: Type.String() }),
  Type.Object({ type: Type.Literal('resolved'), alarmId: Type.String() }),
  /** Settings for the device; sent whenever it subscribes to its feedback. */
  Type.Object({ type: Type.Literal('config'), heartbeatIntervalS: Type.Integer({ minimum: 10, maximum: 86400 }) }),
  Type.Object({
    type: Type.Literal('error'),
    code: Type.String(),
    message: Type.String(),
    eventId: Type.Optional(Type.String()),
  }),
]);
export type DeviceFeedback = Static<typeof DeviceFeedback>;

/** The device's presence: retained, `offline` set as its last will. */
export const DevicePresence = Type.Enum(['online', 'offline']);
export type DevicePresence = Static<typeof DevicePresence>;

/** Topic → payload. The device publishes `events`, `telemetry`, `status`; Trygg publishes `feedback`. */
export interface Topics {
  'trygg/v1/devices/{deviceId}/events': DeviceEventPayload;
  'trygg/v1/devices/{deviceId}/telemetry': TelemetrySample;
  'trygg/v1/devices/{deviceId}/status': DevicePresence;
  'trygg/v1/devices/{deviceId}/feedback': DeviceFeedback;
}

/**
 * The protocol as data: per channel its direction, QoS, retain flag and payload schema.
 * gateway/PROTOCOL.md is checked against it by a test.
 */
export const CHANNELS = {
  events: { direction: 'device → Trygg', qos: '1', retained: false, schema: DeviceEventPayload },
  telemetry: { direction: 'device → Trygg', qos: '0 or 1', retained: false, schema: TelemetrySample },
  status: { direction: 'device → Trygg', qos: '1', retained: true, schema: DevicePresence },
  feedback: { direction: 'Trygg → device', qos: '1', retained: false, schema: DeviceFeedback },
} as const;

export type DeviceChannel = 'events' | 'telemetry' | 'status' | 'feedback';
export const DEVICE_CHANNELS: readonly DeviceChannel[] = ['events', 'telemetry', 'status', 'feedback'];

export function deviceTopic(deviceId: string, channel: DeviceChannel): string {
  return `${TOPIC_PREFIX}/${deviceId}/${channel}`;
}

/** Splits `trygg/v1/devices/{id}/{channel}`; null for anything else. */
export function parseDeviceTopic(topic: string): { deviceId: string; channel: DeviceChannel } | null {
  const parts = topic.split('/');
  if (parts.length !== 5 || `${parts[0]}/${parts[1]}/${parts[2]}` !== TOPIC_PREFIX) return null;
  const deviceId = parts[3];
  const channel = parts[4] as DeviceChannel;
  if (!deviceId || !DEVICE_CHANNELS.includes(channel)) return null;
  return { deviceId, channel };
}
