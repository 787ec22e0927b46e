/**
 * Turns a raw MQTT payload into the DeviceEvent Trygg stores, or a catalogue error code. Size
 * first, then JSON, then the schema: the cheapest refusal comes first. Then what makes every
 * event storable (alarm-core's device-input rules): text cleaned of what PostgreSQL refuses, and
 * the device's time read strictly. An alarm is never refused for its time: one that names no
 * instant, or one far from Trygg's clock, is stored with Trygg's receive time and the device's
 * text kept as `deviceTs`; the caller is told, so it can log it and answer the device.
 */
import { Compile } from 'typebox/compile';
import {
  cleanDeviceEvent,
  DEVICE_EVENT_TYPES,
  DeviceEvent,
  MAX_EVENT_BYTES,
  normaliseDeviceTime,
  SYSTEM_EVENT_TYPES,
  type ErrorCode,
} from '@trygg/alarm-core';

const validator = Compile(DeviceEvent);
/** What a device may send: the vocabulary less the types only Trygg raises (`technical.offline`). */
const deviceTypes = new Set<string>(DEVICE_EVENT_TYPES.filter((t) => !SYSTEM_EVENT_TYPES.includes(t)));
/** Fields Trygg sets itself; a device's own are dropped, never trusted. */
const TRYGG_FIELDS = ['deviceTs', 'extensions'] as const;

/** Something the device should hear about although its event was stored. */
export interface ParseNote {
  code: ErrorCode;
  detail: string;
}

export type ParseResult =
  { ok: true; event: DeviceEvent; notes: ParseNote[] } | { ok: false; code: ErrorCode; detail: string; eventId?: string };

export interface ClockRule {
  now: Date;
  /** Largest difference between the device's time and `now` kept as the event's time, seconds. */
  maxSkewS: number;
}

export function parseDeviceEvent(payload: Buffer, clock: ClockRule = { now: new Date(), maxSkewS: Infinity }): ParseResult {
  if (payload.length > MAX_EVENT_BYTES) {
    return { ok: false, code: 'TRYGG_ERR_PAYLOAD_TOO_LARGE', detail: `${payload.length} > ${MAX_EVENT_BYTES} bytes` };
  }
  let value: unknown;
  try {
    value = JSON.parse(payload.toString('utf8'));
  } catch (err) {
    return { ok: false, code: 'TRYGG_ERR_PAYLOAD_MALFORMED', detail: (err as Error).message };
  }
  const obj = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  const eventId = typeof obj?.id === 'string' ? obj.id : undefined;
  const base = eventId === undefined ? {} : { eventId };
  if (typeof obj?.type === 'string' && !deviceTypes.has(obj.type)) {
    const reserved = (DEVICE_EVENT_TYPES as readonly string[]).includes(obj.type);
    return {
      ok: false,
      code: 'TRYGG_ERR_EVENT_TYPE_UNKNOWN',
      detail: `type "${obj.type.slice(0, 40)}"${reserved ? ' is raised by Trygg only' : ''}`,
      ...base,
    };
  }
  const notes: ParseNote[] = [];
  if (obj) {
    for (const k of TRYGG_FIELDS) delete obj[k];
    if (typeof obj.ts === 'string') {
      const time = deviceTime(obj.ts, clock);
      obj.ts = time.ts;
      if (time.deviceTs !== undefined) obj.deviceTs = time.deviceTs;
      if (time.note) notes.push(time.note);
    }
  }
  if (!validator.Check(value)) {
    const first = validator.Errors(value)[0];
    return {
      ok: false,
      code: 'TRYGG_ERR_SCHEMA',
      detail: first ? `${first.instancePath || '/'} ${first.message}` : 'schema mismatch',
      ...base,
    };
  }
  const { event, cleaned } = cleanDeviceEvent(value);
  if (cleaned.length > 0) {
    notes.push({
      code: 'TRYGG_ERR_EVENT_DATA',
      detail: `control characters or broken Unicode removed from ${cleaned.join(', ')}; stored`,
    });
  }
  return { ok: true, event, notes };
}

/**
 * The time an event is stored with: the device's when it is readable and near Trygg's clock,
 * otherwise Trygg's receive time with the device's text kept (clipped to the contract's length).
 */
function deviceTime(ts: string, clock: ClockRule): { ts: string; deviceTs?: string; note?: ParseNote } {
  const received = clock.now.toISOString();
  const original = [...ts].slice(0, 80).join('');
  const read = normaliseDeviceTime(ts);
  if (!read) {
    return {
      ts: received,
      deviceTs: original,
      note: { code: 'TRYGG_ERR_DEVICE_TIME', detail: `ts "${original}" names no instant; stored with Trygg's time ${received}` },
    };
  }
  const skewS = Math.abs(Date.parse(read.ts) - clock.now.getTime()) / 1000;
  if (skewS > clock.maxSkewS) {
    return {
      ts: received,
      deviceTs: original,
      note: {
        code: 'TRYGG_ERR_CLOCK_SKEW',
        detail: `ts ${original} is ${Math.round(skewS)} s off; stored with Trygg's time ${received}`,
      },
    };
  }
  return read;
}
