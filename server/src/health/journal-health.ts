/**
 * The journal receiver's health, from what delivery itself sees: every answer the journal client
 * gets is observed (a `retry` outcome — no connection, a timeout, 5xx, 401, 429 — means the
 * receiver cannot be reached; any other answer means it can), and the outbox says how many
 * records wait and for how long. Never fatal: alarms are handled while the journal is away, and
 * nothing in the outbox is lost (docs/journal.md).
 */
import { journalAlert, type JournalAnswer, type JournalClient, type Pool } from '@trygg/alarm-core';
import { cachedFor, type IntegrationReport } from './registry.js';

/** How long one look at the outbox is shared (the check sits behind a public route). */
const OUTBOX_CACHE_MS = 2_000;

export class JournalReachability {
  /** The first failed attempt of the failures in a row now standing; null while it answers. */
  private failingSince: Date | null = null;
  private lastError: string | null = null;
  lastSuccessAt: Date | null = null;

  constructor(private readonly now: () => Date = () => new Date()) {}

  observe(answer: JournalAnswer): JournalAnswer {
    if (answer.outcome === 'retry') {
      this.failingSince ??= this.now();
      this.lastError = answer.error;
    } else {
      this.failingSince = null;
      this.lastError = null;
      this.lastSuccessAt = this.now();
    }
    return answer;
  }

  /** The client with every answer observed. */
  wrap(client: Pick<JournalClient, 'deliver' | 'followUp'>): Pick<JournalClient, 'deliver' | 'followUp'> {
    return {
      deliver: async (bundle) => this.observe(await client.deliver(bundle)),
      followUp: async (location) => this.observe(await client.followUp(location)),
    };
  }

  get failing(): { since: Date; error: string | null } | null {
    return this.failingSince ? { since: this.failingSince, error: this.lastError } : null;
  }
}

/**
 * The journal integration's check: `reach` is null when no journal is configured (records then
 * wait in the outbox until one is).
 */
export function journalCheck(
  pool: Pick<Pool, 'query'>,
  alertAfterS: number,
  reach: JournalReachability | null,
): () => Promise<IntegrationReport> {
  const outbox = cachedFor(OUTBOX_CACHE_MS, () => journalAlert(pool, alertAfterS));
  return async () => {
    const b = await outbox();
    const waiting = b.pending + b.sent + b.failed;
    const counts = { waiting, oldestWaitingS: b.oldestUndeliveredS };
    if (!reach) {
      return { state: 'not-configured', detail: `no journal configured; ${waiting} records waiting`, ...counts };
    }
    const lastSuccessAt = reach.lastSuccessAt;
    const failing = reach.failing;
    if (failing) {
      return {
        state: 'down',
        since: failing.since,
        lastSuccessAt,
        detail: `not reachable since ${failing.since.toISOString()} (${failing.error ?? 'no answer'}); ${waiting} records waiting`,
        ...counts,
      };
    }
    if (b.alerting || b.failed > 0) {
      return {
        state: 'degraded',
        lastSuccessAt,
        detail: b.alerting
          ? `reachable, but the oldest record has waited ${b.oldestUndeliveredS ?? 0} s; ${waiting} records waiting`
          : `reachable; ${b.failed} records refused by the journal wait for an administrator`,
        ...counts,
      };
    }
    return { state: 'ok', lastSuccessAt, detail: `reachable; ${waiting} records waiting`, ...counts };
  };
}
