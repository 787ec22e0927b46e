/**
 * Telemetry payloads: size, JSON, schema; same refusals as events. Unlike an alarm, a sample
 * whose time names no instant is refused (`TRYGG_ERR_DEVICE_TIME`): a point at a guessed time
 * is worse than a gap in a curve.
 */
import { Compile } from 'typebox/compile';
import { MAX_EVENT_BYTES, normaliseDeviceTime, TelemetrySample, type ErrorCode } from '@trygg/alarm-core';

const validator = Compile(TelemetrySample);

export type TelemetryParse = { ok: true; sample: TelemetrySample } | { ok: false; code: ErrorCode; detail: string };

export function parseTelemetry(payload: Buffer): TelemetryParse {
  if (payload.length > MAX_EVENT_BYTES)
    return { ok: false, code: 'TRYGG_ERR_PAYLOAD_TOO_LARGE', detail: `${payload.length} bytes` };
  let value: unknown;
  try {
    value = JSON.parse(payload.toString('utf8'));
  } catch (err) {
    return { ok: false, code: 'TRYGG_ERR_PAYLOAD_MALFORMED', detail: (err as Error).message };
  }
  if (validator.Check(value)) {
    const time = normaliseDeviceTime(value.ts);
    if (!time) return { ok: false, code: 'TRYGG_ERR_DEVICE_TIME', detail: `ts "${value.ts.slice(0, 80)}" names no instant` };
    return { ok: true, sample: time.ts === value.ts ? value : { ...value, ts: time.ts } };
  }
  const first = validator.Errors(value)[0];
  return {
    ok: false,
    code: 'TRYGG_ERR_SCHEMA',
    detail: first ? `${first.instancePath || '/'} ${first.message}` : 'schema mismatch',
  };
}
