/**
 * Telemetry rows: one per metric in a sample. Samples arriving together share one `unnest`
 * INSERT (group commit); each sample's promise resolves when its rows are committed, so a QoS 1
 * telemetry PUBACK still means stored. (device, metric, time) is the key: a resend is a no-op.
 */
import { GroupCommit, TELEMETRY_METRICS, type GroupCommitOptions, type Queryable, type TelemetrySample } from '@trygg/alarm-core';

interface Sample {
  deviceId: string;
  sample: TelemetrySample;
}

export class TelemetryWriter {
  private readonly batches: GroupCommit<Sample, number>;
  private readonly onRows: (rows: number) => void;

  constructor(
    private readonly db: Queryable,
    opts: GroupCommitOptions & { onRows?: (rows: number) => void } = {},
  ) {
    const { onRows, ...groupCommit } = opts;
    this.onRows = onRows ?? (() => undefined);
    this.batches = new GroupCommit((samples) => this.insert(samples), { maxBatch: 2_000, ...groupCommit });
  }

  /** Resolves with the rows this sample added once they are committed. */
  write(deviceId: string, sample: TelemetrySample): Promise<number> {
    return this.batches.submit({ deviceId, sample });
  }

  private async insert(samples: Sample[]): Promise<number[]> {
    const times: string[] = [];
    const devices: string[] = [];
    const metrics: string[] = [];
    const values: number[] = [];
    const counts = samples.map(({ deviceId, sample }) => {
      let n = 0;
      for (const m of TELEMETRY_METRICS) {
        const v = sample[m];
        if (v === undefined) continue;
        times.push(sample.ts);
        devices.push(deviceId);
        metrics.push(m);
        values.push(v);
        n++;
      }
      return n;
    });
    if (values.length === 0) return counts;
    const { rowCount } = await this.db.query(
      `INSERT INTO telemetry (time, device_id, metric, value)
       SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::float8[])
       ON CONFLICT DO NOTHING`,
      [times, devices, metrics, values],
    );
    this.onRows(rowCount ?? 0);
    return counts;
  }
}
