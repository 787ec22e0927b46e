/**
 * Telemetry series for curves: a device's or a resident's measurements over a time range, in
 * buckets (avg / min / max / count per bucket and metric). With TimescaleDB the buckets come
 * from `time_bucket` (and whole hours from the `telemetry_hourly` continuous aggregate); on plain
 * PostgreSQL from `date_bin` with the same origin, so both give the same buckets.
 */
import type { Queryable, TelemetryBucket } from '@trygg/alarm-core';

export interface SeriesQuery {
  /** Device ids whose rows are read (one device, or all of a resident's). */
  deviceIds: string[];
  from: Date;
  to: Date;
  /** Bucket width in seconds. */
  bucketS: number;
  metric?: TelemetryBucket['metric'];
}

/** One bucket of one device's metric (the API's TelemetryBucket). */
export type SeriesPoint = TelemetryBucket;

/** time_bucket's default origin (a Monday), used by date_bin too so weeks line up. */
const ORIGIN = '2000-01-03T00:00:00Z';

/** Whether `telemetry` is a hypertable (asked without provoking an error on plain PostgreSQL). */
export async function hasTimescale(db: Queryable): Promise<boolean> {
  const { rows } = await db.query(`SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'`);
  if (rows.length === 0) return false;
  const hyper = await db.query(`SELECT 1 FROM timescaledb_information.hypertables WHERE hypertable_name = 'telemetry'`);
  return hyper.rows.length > 0;
}

export async function telemetrySeries(db: Queryable, q: SeriesQuery, timescale: boolean): Promise<SeriesPoint[]> {
  const params = [q.deviceIds, q.from.toISOString(), q.to.toISOString(), `${q.bucketS} seconds`, q.metric ?? null, ORIGIN];
  const where = `device_id = ANY($1::text[]) AND %T >= $2 AND %T < $3 AND ($5::text IS NULL OR metric = $5)`;
  let sql: string;
  if (timescale && q.bucketS % 3600 === 0) {
    // Whole hours: re-aggregate the hourly continuous aggregate (avg weighted by count).
    sql = `SELECT time_bucket($4::interval, bucket, $6::timestamptz) AS t, device_id, metric,
                  sum(avg * n) / sum(n) AS avg, min(min) AS min, max(max) AS max, sum(n)::bigint AS count
             FROM telemetry_hourly WHERE ${where.replaceAll('%T', 'bucket')}
            GROUP BY 1, 2, 3 ORDER BY 2, 3, 1`;
  } else {
    const bucket = timescale
      ? 'time_bucket($4::interval, time, $6::timestamptz)'
      : 'date_bin($4::interval, time, $6::timestamptz)';
    sql = `SELECT ${bucket} AS t, device_id, metric,
                  avg(value) AS avg, min(value) AS min, max(value) AS max, count(*) AS count
             FROM telemetry WHERE ${where.replaceAll('%T', 'time')}
            GROUP BY 1, 2, 3 ORDER BY 2, 3, 1`;
  }
  const { rows } = await db.query<{
    t: Date;
    device_id: string;
    // The store writes only the contract's metrics (telemetry.ts).
    metric: TelemetryBucket['metric'];
    avg: number;
    min: number;
    max: number;
    count: string;
  }>(sql, params);
  return rows.map((r) => ({
    t: r.t.toISOString(),
    deviceId: r.device_id,
    metric: r.metric,
    avg: Number(r.avg),
    min: Number(r.min),
    max: Number(r.max),
    count: Number(r.count),
  }));
}

/**
 * Applies the retention: with TimescaleDB, (re)sets the hypertable's retention policy; on plain
 * PostgreSQL, deletes older rows now (the caller repeats it hourly). Returns rows deleted.
 */
export async function applyTelemetryRetention(db: Queryable, retentionS: number, timescale: boolean): Promise<number> {
  const interval = `${retentionS} seconds`;
  if (timescale) {
    await db.query(`SELECT remove_retention_policy('telemetry', if_exists => true)`);
    await db.query(`SELECT add_retention_policy('telemetry', $1::interval)`, [interval]);
    return 0;
  }
  const { rowCount } = await db.query(`DELETE FROM telemetry WHERE time < now() - $1::interval`, [interval]);
  return rowCount ?? 0;
}
