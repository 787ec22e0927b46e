/**
 * A device's recent battery and signal as plain series for the technician's chart: the last
 * points in a window, thinned to at most `points` per metric. (The bucketed telemetry API is
 * separate work; this stays minimal.)
 */
import type { Queryable, TelemetrySeries } from '@trygg/alarm-core';
import { TryggError } from '@trygg/alarm-core';
import { iso } from './ids.js';

export async function telemetrySeries(db: Queryable, deviceId: string, hours = 24, points = 200): Promise<TelemetrySeries> {
  const { rows: dev } = await db.query<{ last_seen_at: Date | null }>('SELECT last_seen_at FROM devices WHERE id = $1', [
    deviceId,
  ]);
  if (!dev[0]) throw new TryggError('TRYGG_ERR_DEVICE_UNKNOWN', `no device ${deviceId}`);
  const { rows } = await db.query<{ metric: 'battery' | 'rssi'; time: Date; value: number }>(
    `SELECT metric, time, value FROM (
       SELECT metric, time, value, row_number() OVER (PARTITION BY metric ORDER BY time) AS n,
              count(*) OVER (PARTITION BY metric) AS total
         FROM telemetry
        WHERE device_id = $1 AND metric IN ('battery', 'rssi') AND time > now() - make_interval(hours => $2)) x
      WHERE (n - 1) % greatest(1, ceil(total::float8 / $3)::int) = 0 OR n = total
      ORDER BY metric, time`,
    [deviceId, hours, points],
  );
  const series: TelemetrySeries = { deviceId, lastSeenAt: iso(dev[0].last_seen_at), battery: [], rssi: [] };
  for (const r of rows) series[r.metric].push({ t: r.time.toISOString(), v: r.value });
  return series;
}
