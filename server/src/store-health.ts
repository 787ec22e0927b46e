/**
 * What readiness knows about storing events. `/readyz` promises that this node can store a
 * device's event now, so it asks two things:
 *
 * - The database answers, quickly, on the alarm path's own connections, and takes writes (not a
 *   standby, not read-only): `probeDatabase`, bounded by a timeout. This catches a database that
 *   is gone or hung even when no device is sending.
 * - The real stores are not failing: `StoreHealth` watches every event store (MQTT, SCAIP) and
 *   reports failing after `FAILURES` in a row that were not about the data. This catches what a
 *   probe cannot see cheaply: a full disk (PostgreSQL answers `SELECT` and fails every insert
 *   with 53100), a table that cannot be written, a bug on the way in.
 *
 * Why not a real tiny write in the probe instead: a one-row update of a probe table fits in a page
 * that already exists, so a full disk lets it through while every event insert that needs a new
 * page fails; only the events' own writes tell the truth about the events' table. A failing state
 * lasts while failures keep coming (devices resend within seconds) and ends at the first store
 * that succeeds; with no store tried for `FORGET_AFTER_MS` it is forgotten and the probe decides.
 */
import { TryggError, sqlState, type Pool } from '@trygg/alarm-core';

/** Event stores failing in a row (for reasons other than the data) that make the node not ready. */
export const FAILURES = 3;
/** A failing state with no store tried since is forgotten after this long. */
export const FORGET_AFTER_MS = 60_000;

/** A store refused for its data (SQLSTATE 22 data exception, 23 integrity) or a request error says nothing about the database. */
function isAboutTheData(err: unknown): boolean {
  if (err instanceof TryggError) return err.status < 500;
  const state = sqlState(err);
  return state !== null && (state.startsWith('22') || state.startsWith('23'));
}

export class StoreHealth {
  private failures = 0;
  private lastFailureAt = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Watches one store attempt; returns it unchanged. */
  watch<T>(attempt: Promise<T>): Promise<T> {
    void attempt.then(
      () => {
        this.failures = 0;
      },
      (err: unknown) => {
        if (isAboutTheData(err)) return;
        this.failures++;
        this.lastFailureAt = this.now();
      },
    );
    return attempt;
  }

  /** True while the last `FAILURES` stores failed and the last of them is recent. */
  get failing(): boolean {
    return this.failures >= FAILURES && this.now() - this.lastFailureAt < FORGET_AFTER_MS;
  }
}

/**
 * The database answers on `pool` and takes writes (not a standby, not read-only). Not bounded
 * here beyond the pool's own timeouts: `/readyz` bounds its wait and runs one probe at a time.
 */
export async function probeDatabase(pool: Pool): Promise<boolean> {
  const { rows } = await pool.query<{ writable: boolean }>(
    `SELECT NOT pg_is_in_recovery() AND current_setting('transaction_read_only') = 'off' AS writable`,
  );
  return rows[0]?.writable === true;
}
