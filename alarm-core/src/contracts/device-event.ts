/**
 * The device event: what every device sends, over MQTT as JSON or over SCAIP after parsing.
 * Its `id` is chosen by the device and is unique per device; a resend carries the same id.
 */
import Type, { type Static } from 'typebox';
import { DEVICE_EVENT_TYPES } from './vocabulary.js';

/** Device and event ids: short, printable, safe in topics, logs and URLs. */
export const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]*$' });

export const DeviceEventTypeSchema = Type.Enum(DEVICE_EVENT_TYPES);

/** What a device sends on its events topic (and a SCAIP request becomes). */
const payloadProperties = {
  id: Id,
  type: DeviceEventTypeSchema,
  /** When the device saw it happen (ISO 8601 with offset). */
  ts: Type.String({ format: 'date-time', maxLength: 40 }),
  /** Free-form location in the home, e.g. "bathroom" (SCAIP `lte`). */
  location: Type.Optional(Type.String({ maxLength: 64 })),
  /** Battery percentage at the time of the event. */
  battery: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
  /** Received signal strength, dBm. */
  rssi: Type.Optional(Type.Number({ minimum: -150, maximum: 0 })),
  /** Free text from the device (SCAIP `dte` / `stt`). */
  text: Type.Optional(Type.String({ maxLength: 128 })),
  /** Which part of a unit with several (SCAIP `did`, e.g. one pendant of two). */
  subDevice: Type.Optional(Type.String({ maxLength: 32 })),
  /** Which component of it (SCAIP `dco`, e.g. `002` button 1). */
  component: Type.Optional(Type.String({ maxLength: 16 })),
  /** The device's own priority, 0–9, 9 highest (SCAIP `pri`); recorded, the alarm's priority comes from its type. */
  devicePriority: Type.Optional(Type.Integer({ minimum: 0, maximum: 9 })),
  /** Where the person can be called back (SCAIP `crd`: `sip:…`, `gsm:+47…`, `no-voice:`). */
  callbacks: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 4 })),
  /** WGS-84 position (SCAIP `lge` / `geo`). */
  position: Type.Optional(
    Type.Object(
      { lat: Type.Number({ minimum: -90, maximum: 90 }), lon: Type.Number({ minimum: -180, maximum: 180 }) },
      { additionalProperties: false },
    ),
  ),
};

/** A device event as a device sends it: what Trygg sets itself (`deviceTs`, `extensions`) is not its to send. */
export const DeviceEventPayload = Type.Object(payloadProperties, { additionalProperties: false });
export type DeviceEventPayload = Static<typeof DeviceEventPayload>;

/** A device event as Trygg stores and applies it: the device's payload and what Trygg kept beside it. */
export const DeviceEvent = Type.Object(
  {
    ...payloadProperties,
    /**
     * The time exactly as the device sent it, kept only when Trygg stored another `ts` (the
     * device's could not be read, or its clock was far off): set by Trygg, never by a device.
     */
    deviceTs: Type.Optional(Type.String({ maxLength: 80 })),
    /**
     * What a device sent beyond the contract, kept for the record and never acted on (SCAIP
     * vendor elements such as `<ext><bat>87</bat></ext>` → `{ "ext/bat": "87" }`). Set by Trygg.
     */
    extensions: Type.Optional(
      Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 128 }), { maxProperties: 16 }),
    ),
  },
  { additionalProperties: false },
);
export type DeviceEvent = Static<typeof DeviceEvent>;

/** Largest event payload accepted, in bytes. */
export const MAX_EVENT_BYTES = 4096;

/** A telemetry message: measurements at one moment. Each present metric becomes one row. */
export const TelemetrySample = Type.Object(
  {
    ts: Type.String({ format: 'date-time', maxLength: 40 }),
    battery: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    rssi: Type.Optional(Type.Number({ minimum: -150, maximum: 0 })),
    temperature: Type.Optional(Type.Number({ minimum: -40, maximum: 85 })),
  },
  { additionalProperties: false },
);
export type TelemetrySample = Static<typeof TelemetrySample>;
export const TELEMETRY_METRICS = ['battery', 'rssi', 'temperature'] as const;
