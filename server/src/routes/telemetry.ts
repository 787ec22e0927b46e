/**
 * Telemetry series for curves: one device's, or all of a resident's devices'. Every read is
 * audited by the audit plugin (who read whose measurements).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { API, TryggError, type Pool, type TelemetrySeriesQuery } from '@trygg/alarm-core';
import { deviceOwner, residentDeviceIds } from '@trygg/devices';
import { hasTimescale, telemetrySeries } from '@trygg/gateway';
import { serve } from './serve.js';
const UNIT_S = { s: 1, m: 60, h: 3600, d: 86400 } as const;
/** More buckets than this in one answer is a mistake (or an attempt to make the database work). */
const MAX_BUCKETS = 10_000;

function range(q: TelemetrySeriesQuery): { from: Date; to: Date; bucketS: number } {
  const to = q.to ? new Date(q.to) : new Date();
  const from = q.from ? new Date(q.from) : new Date(to.getTime() - 24 * 3600_000);
  const bucket = q.bucket ?? '1h';
  const bucketS = Number(bucket.slice(0, -1)) * UNIT_S[bucket.slice(-1) as keyof typeof UNIT_S];
  if (!(from < to)) throw new TryggError('TRYGG_ERR_VALIDATION', '`from` must be before `to`');
  if ((to.getTime() - from.getTime()) / 1000 / bucketS > MAX_BUCKETS) {
    throw new TryggError('TRYGG_ERR_VALIDATION', `more than ${MAX_BUCKETS} buckets: widen the bucket or narrow the range`);
  }
  return { from, to, bucketS };
}

const telemetry: FastifyPluginAsyncTypebox<{ pool: Pool }> = async (app, { pool }) => {
  let timescale: Promise<boolean> | null = null;
  const series = async (deviceIds: string[], q: TelemetrySeriesQuery) => {
    const { from, to, bucketS } = range(q);
    timescale ??= hasTimescale(pool).catch((err: unknown) => {
      timescale = null; // asked again by the next request
      throw err;
    });
    const metric = q.metric ? { metric: q.metric } : {};
    const points = await telemetrySeries(pool, { deviceIds, from, to, bucketS, ...metric }, await timescale);
    return { deviceIds, from: from.toISOString(), to: to.toISOString(), bucketS, points };
  };

  serve(
    app,
    API.deviceTelemetrySeries,
    { action: 'telemetry:read', audit: { entity: 'telemetry', subtype: 'read' } },
    async (req) => {
      const device = await deviceOwner(pool, req.params.id);
      if (!device) throw new TryggError('TRYGG_ERR_DEVICE_UNKNOWN');
      req.audit.patients([device.residentId]);
      return series([req.params.id], req.query);
    },
  );

  serve(
    app,
    API.residentTelemetrySeries,
    { action: 'telemetry:read', audit: { entity: 'telemetry', subtype: 'read' } },
    async (req) => {
      const ids = await residentDeviceIds(pool, req.params.id);
      if (!ids) throw new TryggError('TRYGG_ERR_NOT_FOUND', 'no such resident');
      req.audit.patients([req.params.id]);
      return series(ids, req.query);
    },
  );
};
export default telemetry;
