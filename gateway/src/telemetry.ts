/**
 * Telemetry rows: one per metric in a sample. Samples arriving together share one `unnest`
 * INSERT (group commit); each sample's promise resolves when its rows are committed, so a QoS 1
 * telemetry PUBACK still means stored. (device, metric, time) is the key: a resend is a no-op.
 *
 * Samples nobody waits on an acknowledgement of (QoS 0: "at most once") go in batches of their
 * own, on `relaxed` connections that commit without waiting for the WAL flush, so a thousand
 * measurements a second do not queue the alarms' commits behind their disk flushes. Those
 * batches also linger (`RELAXED_LINGER_MS`): twenty transactions a second instead of hundreds,
 * which leaves the database's share of the CPU to the alarms.
 */
import { GroupCommit, TELEMETRY_METRICS, type GroupCommitOptions, type Queryable, type TelemetrySample } from '@trygg/alarm-core';

/**
 * How long a QoS 0 batch waits for company. A sample is in the table this much later; a crash
 * loses at most these samples and those of the relaxed commits (QoS 0 is "at most once").
 */
export const RELAXED_LINGER_MS = 50;

interface Sample {
  deviceId: string;
  sample: TelemetrySample;
}

export interface TelemetryWriterOptions extends Omit<GroupCommitOptions, 'lingerMs'> {
  onRows?: (rows: number) => void;
  /** Connections that commit without waiting for the WAL flush, for QoS 0 samples (default: `db`). */
  relaxed?: Queryable;
  /** How long a QoS 0 batch waits for company (default `RELAXED_LINGER_MS`). */
  relaxedLingerMs?: number;
}

export class TelemetryWriter {
  private readonly durable: GroupCommit<Sample, number>;
  private readonly relaxed: GroupCommit<Sample, number>;
  private readonly onRows: (rows: number) => void;

  constructor(db: Queryable, opts: TelemetryWriterOptions = {}) {
    const { onRows, relaxed, relaxedLingerMs = RELAXED_LINGER_MS, ...groupCommit } = opts;
    this.onRows = onRows ?? (() => undefined);
    this.durable = new GroupCommit((samples) => this.insert(db, samples), { maxBatch: 2_000, ...groupCommit });
    this.relaxed = new GroupCommit((samples) => this.insert(relaxed ?? db, samples), {
      maxBatch: 2_000,
      ...groupCommit,
      lingerMs: relaxedLingerMs,
    });
  }

  /** Writes every sample still waiting (shutdown); resolves when they are committed. */
  async flush(): Promise<void> {
    await Promise.all([this.durable.flush(), this.relaxed.flush()]);
  }

  /**
   * Resolves with the rows this sample added once they are committed; durably (the WAL on disk)
   * unless `durable` is false (QoS 0: nobody waits for it).
   */
  write(deviceId: string, sample: TelemetrySample, opts: { durable?: boolean } = {}): Promise<number> {
    return (opts.durable === false ? this.relaxed : this.durable).submit({ deviceId, sample });
  }

  private async insert(db: Queryable, samples: Sample[]): Promise<number[]> {
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
    const { rowCount } = await db.query(
      `INSERT INTO telemetry (time, device_id, metric, value)
       SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::float8[])
       ON CONFLICT DO NOTHING`,
      [times, devices, metrics, values],
    );
    this.onRows(rowCount ?? 0);
    return counts;
  }
}
