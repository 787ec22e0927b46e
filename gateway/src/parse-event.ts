/**
 * Turns a raw MQTT payload into a DeviceEvent or a catalogue error code. Size first, then JSON,
 * then the schema: the cheapest refusal comes first.
 */
import { Compile } from 'typebox/compile';
import { DEVICE_EVENT_TYPES, DeviceEvent, MAX_EVENT_BYTES, SYSTEM_EVENT_TYPES, type ErrorCode } from '@trygg/alarm-core';

const validator = Compile(DeviceEvent);
/** What a device may send: the vocabulary less the types only Trygg raises (`technical.offline`). */
const deviceTypes = new Set<string>(DEVICE_EVENT_TYPES.filter((t) => !SYSTEM_EVENT_TYPES.includes(t)));

export type ParseResult = { ok: true; event: DeviceEvent } | { ok: false; code: ErrorCode; detail: string; eventId?: string };

export function parseDeviceEvent(payload: Buffer): ParseResult {
  if (payload.length > MAX_EVENT_BYTES) {
    return { ok: false, code: 'TRYGG_ERR_PAYLOAD_TOO_LARGE', detail: `${payload.length} > ${MAX_EVENT_BYTES} bytes` };
  }
  let value: unknown;
  try {
    value = JSON.parse(payload.toString('utf8'));
  } catch (err) {
    return { ok: false, code: 'TRYGG_ERR_PAYLOAD_MALFORMED', detail: (err as Error).message };
  }
  const obj = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  const eventId = typeof obj.id === 'string' ? obj.id : undefined;
  const base = eventId === undefined ? {} : { eventId };
  if (typeof obj.type === 'string' && !deviceTypes.has(obj.type)) {
    const reserved = (DEVICE_EVENT_TYPES as readonly string[]).includes(obj.type);
    return {
      ok: false,
      code: 'TRYGG_ERR_EVENT_TYPE_UNKNOWN',
      detail: `type "${obj.type.slice(0, 40)}"${reserved ? ' is raised by Trygg only' : ''}`,
      ...base,
    };
  }
  if (validator.Check(value)) return { ok: true, event: value };
  const first = validator.Errors(value)[0];
  return {
    ok: false,
    code: 'TRYGG_ERR_SCHEMA',
    detail: first ? `${first.instancePath || '/'} ${first.message}` : 'schema mismatch',
    ...base,
  };
}
