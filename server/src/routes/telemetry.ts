/**
 * Telemetry series for curves: one device's, or all of a resident's devices'. Every read is
 * audited by the audit plugin (who read whose measurements).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { ErrorEnvelope, TelemetryBuckets, TelemetrySeriesQuery, TryggError, type Pool } from '@trygg/alarm-core';
import { hasTimescale, telemetrySeries } from '@trygg/gateway';

const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const errors = { 400: ErrorEnvelope, 401: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope };
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

  app.get(
    '/api/devices/:id/telemetry/series',
    {
      config: { action: 'telemetry:read', audit: { entity: 'telemetry', subtype: 'read' } },
      schema: {
        tags: ['telemetry'],
        params: Params,
        querystring: TelemetrySeriesQuery,
        response: { 200: TelemetryBuckets, ...errors },
      },
    },
    async (req) => {
      const { rows } = await pool.query<{ resident_id: string | null }>('SELECT resident_id FROM devices WHERE id = $1', [
        req.params.id,
      ]);
      const device = rows[0];
      if (!device) throw new TryggError('TRYGG_ERR_DEVICE_UNKNOWN');
      req.audit.patients([device.resident_id]);
      return series([req.params.id], req.query);
    },
  );

  app.get(
    '/api/residents/:id/telemetry',
    {
      config: { action: 'telemetry:read', audit: { entity: 'telemetry', subtype: 'read' } },
      schema: {
        tags: ['telemetry'],
        params: Params,
        querystring: TelemetrySeriesQuery,
        response: { 200: TelemetryBuckets, ...errors },
      },
    },
    async (req) => {
      const { rows } = await pool.query<{ id: string | null }>(
        'SELECT d.id FROM residents r LEFT JOIN devices d ON d.resident_id = r.id WHERE r.id = $1 ORDER BY d.id',
        [req.params.id],
      );
      if (rows.length === 0) throw new TryggError('TRYGG_ERR_NOT_FOUND', 'no such resident');
      const ids = rows.flatMap((r) => (r.id ? [r.id] : []));
      req.audit.patients([req.params.id]);
      return series(ids, req.query);
    },
  );
};
export default telemetry;
