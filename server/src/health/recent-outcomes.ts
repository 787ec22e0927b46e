/**
 * The health of a service Trygg sends to (the push service, an SMS gateway): the last success
 * and the failures in a recent window. Degraded while the latest attempt failed; ok again at
 * the first success. Never fatal: a person a channel cannot reach is skipped, not lost.
 */
import type { IntegrationReport } from './registry.js';

/** Failures this old no longer count. */
export const RECENT_MS = 15 * 60_000;

export class RecentOutcomes {
  private failures: number[] = [];
  private lastSuccess: number | null = null;
  private lastFailure: { at: number; error: string | null } | null = null;
  /** The first failure of the failures in a row now standing. */
  private failingSince: number | null = null;

  constructor(private readonly now: () => number = Date.now) {}

  ok(): void {
    this.lastSuccess = this.now();
    this.failingSince = null;
  }

  failed(error?: string): void {
    const t = this.now();
    this.failures.push(t);
    this.lastFailure = { at: t, error: error ?? null };
    this.failingSince ??= t;
  }

  /** `what` names the service in the detail line ("push service"). */
  report(what: string): IntegrationReport {
    const cutoff = this.now() - RECENT_MS;
    this.failures = this.failures.filter((t) => t >= cutoff);
    const recentFailures = this.failures.length;
    const lastSuccessAt = this.lastSuccess === null ? null : new Date(this.lastSuccess);
    if (this.failingSince !== null) {
      return {
        state: 'degraded',
        since: new Date(this.failingSince),
        lastSuccessAt,
        recentFailures,
        detail: `${what}: the last attempt failed (${this.lastFailure?.error ?? 'unknown'}); ${recentFailures} failures in 15 min`,
      };
    }
    return {
      state: 'ok',
      lastSuccessAt,
      recentFailures,
      detail:
        this.lastSuccess === null
          ? `${what}: nothing sent yet`
          : `${what}: last attempt succeeded; ${recentFailures} failures in 15 min`,
    };
  }
}
