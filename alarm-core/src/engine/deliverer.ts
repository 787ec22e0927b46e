/**
 * The deliverer: sends the outbox's notifications through the Notifier on a loop of its own, so a
 * slow or unreachable push endpoint never holds up heartbeat supervision, crash recovery or the
 * alarms themselves. It is woken after every commit that wrote notifications, and polls for
 * retries that fall due and for leases other nodes let lapse.
 *
 * - At most `concurrency` notifications in flight; it claims only as many as it has free slots,
 *   so nothing it holds waits in a queue while its lease runs out.
 * - Each attempt is abandoned after `timeoutMs` (the channel's requests are aborted).
 * - Each notification is marked sent as soon as it is delivered.
 * - A failure is tried again after an exponential backoff (2 s, 4 s, … at most 5 min, jittered);
 *   after `maxAttempts`, or at once when the channel says it can never reach the person
 *   (`TRYGG_ERR_NOTIFICATION_FAILED`), the notification is `failed` with its reason.
 */
import type { Queryable } from '../db/pool.js';
import { TryggError } from '../errors.js';
import type { Logger, Notifier } from '../ports.js';
import { Outbox, type Claimed } from './outbox.js';

export interface DeliveryOptions {
  /** Notifications being delivered at once (each to every device of its person). */
  concurrency?: number;
  /** An attempt is abandoned after this many milliseconds. */
  timeoutMs?: number;
  /** Attempts before a notification is given up. */
  maxAttempts?: number;
  /** Delay after the first failed attempt; doubles per attempt up to `maxBackoffMs`. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** How often to look for due notifications besides being woken after a commit. */
  pollMs?: number;
  random?: () => number;
}

export const DELIVERY_DEFAULTS = {
  concurrency: 64,
  timeoutMs: 10_000,
  maxAttempts: 8,
  baseBackoffMs: 2_000,
  maxBackoffMs: 5 * 60_000,
  pollMs: 1_000,
} as const;

/** What a lease covers beyond the attempt's own timeout: the marking, a busy event loop. */
const LEASE_MARGIN_MS = 30_000;

export class Deliverer {
  private readonly outbox: Outbox;
  private readonly opts: Required<Omit<DeliveryOptions, 'random'>> & { random: () => number };
  private readonly running = new Map<string, { abort: AbortController; done: Promise<void> }>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  /** The claim in progress, if any (one at a time; wakes meanwhile make it look again). */
  private claiming: Promise<void> | null = null;
  private again = false;
  /** The last claim filled every free slot: there may be more due, so a freed slot claims again. */
  private saturated = false;

  constructor(
    db: Queryable,
    private readonly notifier: Notifier,
    private readonly logger: Logger,
    opts: DeliveryOptions = {},
  ) {
    this.outbox = new Outbox(db);
    this.opts = { ...DELIVERY_DEFAULTS, random: Math.random, ...stripUndefined(opts) };
  }

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.wake(), this.opts.pollMs);
    this.timer.unref();
    this.wake();
  }

  /** Stops claiming, aborts what is in flight and hands it back (due again at once, for any node). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.claiming;
    const running = [...this.running.values()];
    for (const r of running) r.abort.abort(new Error('the engine is stopping'));
    await Promise.allSettled(running.map((r) => r.done));
    await this.outbox.flush().catch(() => undefined);
  }

  /** Something may be due (a commit wrote notifications, a slot freed, the poll ticked). */
  wake(): void {
    if (this.stopped) return;
    if (this.claiming) {
      this.again = true;
      return;
    }
    this.claiming = this.claimWhileDue().finally(() => {
      this.claiming = null;
      if (this.again) this.wake();
    });
  }

  private async claimWhileDue(): Promise<void> {
    do {
      this.again = false;
      const free = this.opts.concurrency - this.running.size;
      if (free <= 0) {
        this.saturated = true;
        return;
      }
      let claimed: Claimed[];
      try {
        claimed = await this.outbox.claim(free, this.opts.timeoutMs + LEASE_MARGIN_MS);
      } catch (err) {
        this.logger.warn({ err, code: 'TRYGG_ERR_STORE_UNAVAILABLE' }, 'could not claim notifications; will retry');
        return;
      }
      if (this.stopped) {
        await Promise.allSettled(claimed.map((c) => this.outbox.release(c)));
        return;
      }
      this.saturated = claimed.length === free;
      for (const c of claimed) this.deliver(c);
    } while (this.again && !this.stopped);
  }

  private deliver(c: Claimed): void {
    const abort = new AbortController();
    const timeout = setTimeout(() => abort.abort(new Error(`no answer within ${this.opts.timeoutMs} ms`)), this.opts.timeoutMs);
    const done = this.attempt(c, abort.signal).finally(() => {
      clearTimeout(timeout);
      this.running.delete(c.id);
      if (this.saturated) this.wake();
    });
    this.running.set(c.id, { abort, done });
  }

  private async attempt(c: Claimed, signal: AbortSignal): Promise<void> {
    try {
      // A channel that ignores the signal still gives its slot back at the timeout.
      await Promise.race([this.notifier.notify(c.notification, { signal }), aborted(signal)]);
    } catch (err) {
      await this.failure(c, err).catch((e: unknown) =>
        this.logger.warn(
          { err: e, notification: c.id, code: 'TRYGG_ERR_STORE_UNAVAILABLE' },
          'could not record a failed delivery',
        ),
      );
      return;
    }
    // Not marked (the database is away): the lease lapses and it is delivered again, same id.
    await this.outbox
      .sent(c.id)
      .catch((err: unknown) =>
        this.logger.warn({ err, notification: c.id, code: 'TRYGG_ERR_STORE_UNAVAILABLE' }, 'could not mark a notification sent'),
      );
  }

  private async failure(c: Claimed, err: unknown): Promise<void> {
    if (this.stopped) {
      await this.outbox.release(c);
      return;
    }
    const reason = err instanceof Error ? err.message : String(err);
    const where = {
      notification: c.id,
      alarmId: c.notification.alarmId,
      kind: c.notification.kind,
      attempts: c.attempts,
      reason,
    };
    const forGood = err instanceof TryggError && err.code === 'TRYGG_ERR_NOTIFICATION_FAILED';
    if (forGood || c.attempts >= this.opts.maxAttempts) {
      await this.outbox.failed(c, reason);
      this.logger.warn({ ...where, code: 'TRYGG_ERR_NOTIFICATION_FAILED' }, 'notification not delivered; given up');
      return;
    }
    const delayMs = this.backoff(c.attempts);
    await this.outbox.retry(c, delayMs, reason);
    this.logger.warn({ ...where, retryInMs: delayMs }, 'notification delivery failed; will retry');
  }

  /** base · 2^(attempt−1), capped, with half of it jittered so retries of a burst spread out. */
  private backoff(attempts: number): number {
    const { baseBackoffMs, maxBackoffMs, random } = this.opts;
    const full = Math.min(maxBackoffMs, baseBackoffMs * 2 ** Math.min(attempts - 1, 20));
    return Math.round(full / 2 + (random() * full) / 2);
  }
}

/** Rejects with the signal's reason when it aborts. */
function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    const fail = () => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
