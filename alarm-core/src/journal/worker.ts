/**
 * The journal worker: takes due entries from the journal outbox (SKIP LOCKED, so several nodes
 * share the work), maps each closed alarm to its FHIR Bundle, delivers it, follows up a
 * `202 Accepted` until the receiver reports it journaled, and retries failures with exponential
 * backoff and full jitter. Every attempt is recorded. The journal being down never blocks alarm
 * handling, and nothing is lost or doubled while it is down (conditional creates).
 */
import type { Alarm, TimelineEntry } from '../contracts/alarm.js';
import type { Pool } from '../db/pool.js';
import { getTimelines } from '../engine/store.js';
import type { Logger } from '../ports.js';
import type { JournalAnswer, JournalClient } from './client.js';
import { alarmBundle } from './map-alarm.js';
import { dispenserBundle, type DispenserRecord } from './map-dispenser.js';
import type { JournalPatient } from './references.js';

export interface JournalWorkerDeps {
  pool: Pool;
  client: Pick<JournalClient, 'deliver' | 'followUp'>;
  /** The resident's identity for the record (national id or D-number, name). */
  patientOf: (residentId: string | null) => Promise<JournalPatient>;
  logger: Logger;
  /** Entries handled at once. */
  concurrency?: number;
  /** First retry delay; doubles per attempt up to `maxBackoffMs`, with full jitter. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** How often a 202-accepted entry is followed up. */
  followUpMs?: number;
  /** How often the worker looks for due entries. */
  pollMs?: number;
  random?: () => number;
}

type Due = {
  entry_id: string;
  status: 'pending' | 'sent';
  location: string | null;
  attempts: number;
} & ({ kind: 'alarm'; record: Alarm } | { kind: 'dispenser'; record: DispenserRecord });

export interface JournalBacklog {
  pending: number;
  sent: number;
  failed: number;
  journaled: number;
  oldestUndeliveredS: number | null;
}

/** How long an entry stays claimed by one worker before another may take it (a crash). */
const LEASE_S = 120;

export class JournalWorker {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private stopped = true;

  constructor(private readonly deps: JournalWorkerDeps) {}

  start(): void {
    this.stopped = false;
    const tick = () => {
      if (this.stopped) return;
      this.running = this.runOnce().catch((err: unknown) => {
        this.deps.logger.warn({ err }, 'journal worker pass failed; will retry');
        return 0;
      });
      void this.running.then((n) => {
        if (!this.stopped) this.timer = setTimeout(tick, n > 0 ? 0 : (this.deps.pollMs ?? 1_000));
      });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One pass: claims due entries and handles them; returns how many it handled. */
  async runOnce(): Promise<number> {
    const { rows } = await this.deps.pool.query<Due>(
      `UPDATE journal_outbox o SET next_attempt_at = now() + $2 * interval '1 second'
        WHERE o.entry_id IN (SELECT entry_id FROM journal_outbox
                              WHERE status IN ('pending', 'sent') AND next_attempt_at <= now()
                              ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING o.entry_id, o.kind, o.status, o.record, o.location, o.attempts`,
      [(this.deps.concurrency ?? 16) * 4, LEASE_S],
    );
    // What the mapping needs, read once for the whole batch: the timelines, and each resident once.
    const fresh = rows.filter((r) => r.kind === 'alarm' && !(r.status === 'sent' && r.location));
    const timelines = await getTimelines(
      this.deps.pool,
      fresh.map((r) => r.entry_id),
    );
    const patients = new Map<string | null, Promise<JournalPatient>>();
    const patientOf = (id: string | null) => {
      let p = patients.get(id);
      if (!p) patients.set(id, (p = this.deps.patientOf(id)));
      return p;
    };
    const queue = [...rows];
    await Promise.all(
      Array.from({ length: Math.min(this.deps.concurrency ?? 16, queue.length) }, async () => {
        for (let due = queue.shift(); due; due = queue.shift())
          await this.handle(due, timelines.get(due.entry_id) ?? [], patientOf);
      }),
    );
    return rows.length;
  }

  private async handle(
    due: Due,
    timeline: TimelineEntry[],
    patientOf: (id: string | null) => Promise<JournalPatient>,
  ): Promise<void> {
    const t0 = performance.now();
    let answer: JournalAnswer;
    if (due.status === 'sent' && due.location) {
      answer = await this.deps.client.followUp(due.location);
    } else if (due.kind === 'alarm') {
      const bundle = alarmBundle({ alarm: due.record, timeline, patient: await patientOf(due.record.subject.residentId) });
      answer = await this.deps.client.deliver(bundle);
    } else {
      answer = await this.deps.client.deliver(
        dispenserBundle({ ...due.record, patient: await patientOf(due.record.residentId) }),
      );
    }
    await this.record(due, answer, Math.round(performance.now() - t0));
  }

  private async record(due: Due, a: JournalAnswer, ms: number): Promise<void> {
    const attempts = due.attempts + 1;
    const error = a.outcome === 'retry' || a.outcome === 'rejected' ? a.error : null;
    let update: { status: string; delayMs: number; location?: string | null };
    switch (a.outcome) {
      case 'journaled':
        update = { status: 'journaled', delayMs: 0 };
        break;
      case 'accepted':
        update = { status: 'sent', delayMs: this.deps.followUpMs ?? 5_000, location: a.location };
        break;
      case 'pending':
        update = { status: 'sent', delayMs: this.deps.followUpMs ?? 5_000 };
        break;
      case 'retry':
        update = { status: due.status, delayMs: this.backoff(attempts) };
        break;
      case 'rejected':
        update = { status: 'failed', delayMs: 0 };
        break;
    }
    await this.deps.pool.query(
      `WITH attempt AS (
         INSERT INTO journal_attempts (entry_id, outcome, http_status, error, duration_ms) VALUES ($1, $2, $3, $4, $5))
       UPDATE journal_outbox SET status = $6, attempts = $7, last_error = $4,
              next_attempt_at = now() + $8 * interval '1 millisecond',
              location = coalesce($9, location),
              journaled_at = CASE WHEN $6 = 'journaled' THEN now() ELSE journaled_at END
        WHERE entry_id = $1`,
      [due.entry_id, a.outcome, a.status, error, ms, update.status, attempts, update.delayMs, update.location ?? null],
    );
    if (a.outcome === 'rejected')
      this.deps.logger.error(
        { entryId: due.entry_id, kind: due.kind, code: 'TRYGG_ERR_JOURNAL_REJECTED', error },
        'journal refused an entry',
      );
    else if (a.outcome === 'retry')
      this.deps.logger.warn({ entryId: due.entry_id, kind: due.kind, attempts, error }, 'journal delivery failed; retrying');
  }

  /** Exponential backoff with full jitter: random in [0, min(max, base · 2^attempts)). */
  private backoff(attempts: number): number {
    const base = this.deps.baseBackoffMs ?? 1_000;
    const cap = Math.min(this.deps.maxBackoffMs ?? 15 * 60_000, base * 2 ** Math.min(attempts, 20));
    return Math.floor((this.deps.random ?? Math.random)() * cap);
  }
}

/** The backlog as administrators see it. */
export async function journalBacklog(db: Pick<Pool, 'query'>): Promise<JournalBacklog> {
  const { rows } = await db.query<{ status: string; n: string; oldest: string | null }>(
    `SELECT status, count(*) AS n,
            extract(epoch FROM now() - min(created_at) FILTER (WHERE status <> 'journaled')) AS oldest
       FROM journal_outbox GROUP BY status`,
  );
  const n = (s: string) => Number(rows.find((r) => r.status === s)?.n ?? 0);
  const oldest = rows.map((r) => (r.oldest === null ? null : Number(r.oldest))).filter((x): x is number => x !== null);
  return {
    pending: n('pending'),
    sent: n('sent'),
    failed: n('failed'),
    journaled: n('journaled'),
    oldestUndeliveredS: oldest.length ? Math.round(Math.max(...oldest)) : null,
  };
}
