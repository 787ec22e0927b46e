/** Telemetry series for curves: one device's measurements, or all of a resident's devices'. */
import Type from 'typebox';
import { TelemetryBuckets, TelemetrySeriesQuery } from '../telemetry.js';
import { route } from './route.js';

const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const errors = [400, 401, 403, 404] as const;

export const telemetryApi = {
  deviceTelemetrySeries: route({
    method: 'GET',
    path: '/api/devices/:id/telemetry/series',
    tag: 'telemetry',
    summary: "A device's measurements in buckets (avg, min, max, count per bucket and metric)",
    params: Params,
    query: TelemetrySeriesQuery,
    response: TelemetryBuckets,
    errors,
  }),
  residentTelemetrySeries: route({
    method: 'GET',
    path: '/api/residents/:id/telemetry',
    tag: 'telemetry',
    summary: "All of a resident's devices' measurements in buckets",
    params: Params,
    query: TelemetrySeriesQuery,
    response: TelemetryBuckets,
    errors,
  }),
} as const;
