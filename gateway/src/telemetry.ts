/**
 * Telemetry rows: one per metric in a sample, written with `unnest` in one statement.
 * (Batching across devices comes with the telemetry issue; this keeps ack-after-commit.)
 */
import { TELEMETRY_METRICS, type Queryable, type TelemetrySample } from '@trygg/alarm-core';

export class TelemetryWriter {
  constructor(private readonly db: Queryable) {}

  async write(deviceId: string, sample: TelemetrySample): Promise<void> {
    const metrics: string[] = [];
    const values: number[] = [];
    for (const m of TELEMETRY_METRICS) {
      const v = sample[m];
      if (v !== undefined) {
        metrics.push(m);
        values.push(v);
      }
    }
    if (metrics.length === 0) return;
    await this.db.query(
      `INSERT INTO telemetry (time, device_id, metric, value)
       SELECT $1, $2, m, v FROM unnest($3::text[], $4::float8[]) AS u(m, v)`,
      [sample.ts, deviceId, metrics, values],
    );
  }
}
