/** Telemetry payloads: size, JSON, schema; same refusals as events. */
import { Compile } from 'typebox/compile';
import { MAX_EVENT_BYTES, TelemetrySample, type ErrorCode } from '@trygg/alarm-core';

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
  if (validator.Check(value)) return { ok: true, sample: value };
  const first = validator.Errors(value)[0];
  return {
    ok: false,
    code: 'TRYGG_ERR_SCHEMA',
    detail: first ? `${first.instancePath || '/'} ${first.message}` : 'schema mismatch',
  };
}
