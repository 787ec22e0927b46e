/**
 * Telemetry ingest: telemetry rows stored per second by Trygg's own writer (the gateway's
 * `TelemetryWriter`: group commit, one `unnest` INSERT … ON CONFLICT DO NOTHING per batch, each
 * sample's promise settling at its commit) against the obvious fast way to load the same rows
 * with `pg`: one `COPY … FROM STDIN` stream (pg-copy-streams) into an identical table (same
 * columns, same unique index). Same samples, rounds alternating Trygg / COPY, both tables
 * emptied before each round, and every round's rows counted afterwards.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import { TELEMETRY_METRICS, type Pool, type TelemetrySample } from '@trygg/alarm-core';
import { TelemetryWriter } from '@trygg/gateway';
import { figure, type Figure } from './figures.js';
import { fmt, median } from './stats.js';

export interface TelemetryBenchOptions {
  pool: Pool;
  /** Samples per round; each becomes two or three rows (one per metric present). */
  samples: number;
  /** Devices the samples come from, one sample per device per minute. */
  devices: number;
  /**
   * Samples waiting for their commit at once: 200 devices × 16 in flight, as in the gateway's
   * QoS 1 figure — the queue a busy gateway hands the writer.
   */
  window: number;
  rounds: number;
  log: (line: string) => void;
}

export interface TelemetryBenchResult {
  samples: number;
  rows: number;
  tryggRowsPerS: number;
  copyRowsPerS: number;
  /** Rows per second of each round, interleaved: Trygg, COPY, Trygg, COPY … */
  tryggRounds: number[];
  copyRounds: number[];
}

interface Item {
  deviceId: string;
  sample: TelemetrySample;
}

/** Realistic samples: every one has battery and signal, every third device also a temperature. */
export function telemetrySamples(n: number, devices: number, start = Date.now() - 24 * 3600_000): Item[] {
  return Array.from({ length: n }, (_, i) => {
    const d = i % devices;
    const sample: TelemetrySample = {
      ts: new Date(start + Math.floor(i / devices) * 60_000).toISOString(),
      battery: 100 - ((i * 7) % 60),
      rssi: -50 - ((i * 13) % 50),
      ...(d % 3 === 0 ? { temperature: 18 + ((i * 3) % 80) / 10 } : {}),
    };
    return { deviceId: `tdev-${d + 1}`, sample };
  });
}

export function rowsOf(items: readonly Item[]): number {
  return items.reduce((n, { sample }) => n + TELEMETRY_METRICS.filter((m) => sample[m] !== undefined).length, 0);
}

async function count(pool: Pool, table: string): Promise<number> {
  return Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n);
}

/** Trygg: every sample handed to the writer as the gateway does, `window` waiting at once. */
async function viaWriter(pool: Pool, items: readonly Item[], window: number): Promise<number> {
  const writer = new TelemetryWriter(pool);
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(window, items.length) }, async () => {
      while (next < items.length) {
        const { deviceId, sample } = items[next++] as Item;
        await writer.write(deviceId, sample);
      }
    }),
  );
  return performance.now() - t0;
}

/** The peer: the same rows as COPY text through one stream (one statement, one commit). */
async function viaCopy(pool: Pool, items: readonly Item[]): Promise<number> {
  const client = await pool.connect();
  try {
    const t0 = performance.now();
    function* lines(): Generator<string> {
      const chunk: string[] = [];
      for (const { deviceId, sample } of items) {
        for (const m of TELEMETRY_METRICS) {
          const v = sample[m];
          if (v !== undefined) chunk.push(`${sample.ts}\t${deviceId}\t${m}\t${v}\n`);
        }
        if (chunk.length >= 2_000) yield chunk.splice(0).join('');
      }
      if (chunk.length) yield chunk.join('');
    }
    await pipeline(
      Readable.from(lines()),
      client.query(copyFrom('COPY telemetry_copy_peer (time, device_id, metric, value) FROM STDIN')),
    );
    return performance.now() - t0;
  } finally {
    client.release();
  }
}

export async function benchTelemetry(o: TelemetryBenchOptions): Promise<TelemetryBenchResult> {
  const { pool } = o;
  await pool.query('CREATE TABLE telemetry_copy_peer (LIKE telemetry INCLUDING ALL)');
  const items = telemetrySamples(o.samples, o.devices);
  const rows = rowsOf(items);
  o.log(`  ${o.samples} samples from ${o.devices} devices (${rows} rows), ${o.rounds} rounds alternating with COPY`);
  const tryggRounds: number[] = [];
  const copyRounds: number[] = [];
  try {
    for (let r = 0; r < o.rounds; r++) {
      await pool.query('TRUNCATE telemetry, telemetry_copy_peer');
      const t = await viaWriter(pool, items, o.window);
      const c = await viaCopy(pool, items);
      const [stored, copied] = [await count(pool, 'telemetry'), await count(pool, 'telemetry_copy_peer')];
      if (stored !== rows || copied !== rows) {
        throw new Error(`telemetry bench: expected ${rows} rows each, Trygg stored ${stored}, COPY ${copied}`);
      }
      tryggRounds.push(rows / (t / 1000));
      copyRounds.push(rows / (c / 1000));
      o.log(
        `  round ${r + 1}: Trygg ${fmt(tryggRounds.at(-1) ?? NaN, 0)} rows/s, COPY ${fmt(copyRounds.at(-1) ?? NaN, 0)} rows/s`,
      );
    }
  } finally {
    await pool.query('DROP TABLE IF EXISTS telemetry_copy_peer');
    await pool.query('TRUNCATE telemetry');
  }
  return {
    samples: o.samples,
    rows,
    tryggRowsPerS: median(tryggRounds),
    copyRowsPerS: median(copyRounds),
    tryggRounds,
    copyRounds,
  };
}

export function telemetryFigures(r: TelemetryBenchResult): Figure[] {
  return [
    figure({
      section: 'telemetry',
      name: `telemetry rows ingested / s (${r.samples} samples, ${r.rows} rows, median of rounds)`,
      kind: 'rate',
      trygg: r.tryggRowsPerS,
      peer: { name: 'pg COPY', value: r.copyRowsPerS },
      rounds: { trygg: r.tryggRounds, peer: r.copyRounds },
    }),
  ];
}
