/**
 * The deliverer: walks the outbox's notifications through their person's channels (`reach`: web
 * push, SMS, a call; the response centre's console) on a loop of its own, so a slow or unreachable
 * channel never holds up heartbeat supervision, crash recovery or the alarms themselves. It is
 * woken after every commit that wrote notifications and after a failed receipt, and polls for
 * retries, receipt deadlines and leases other nodes let lapse.
 *
 * Per notification, on its current channel:
 * - `send` resolves `delivered`: a `delivered` fact, done. Resolves `sent`: a `sent` fact, then it
 *   waits for the receipt (`DeliveryLog.report`) until the step's `receiptTimeoutS`; a `failed`
 *   receipt or the deadline (a `failed` fact: "no delivery receipt within 30 s") moves it on.
 * - `TRYGG_ERR_NOTIFICATION_FAILED` (the channel can never reach the person): a `failed` fact, and
 *   the next channel at once.
 * - Any other error is tried again on this channel after an exponential backoff (2 s, 4 s, …
 *   jittered) while the channel's receipt window lasts (and for at most `maxAttempts`).
 * - No channel left: `failed`. For an alert, the engine is told first (`onUndeliverable`), so the
 *   alert becomes unreachable and the chain moves on at once.
 *
 * At most `concurrency` notifications in flight; it claims only as many as it has free slots.
 * Each send is abandoned after `timeoutMs` (the channel's requests are aborted).
 */
import { reachOf } from '../contracts/escalation.js';
import type { ChannelKind } from '../contracts/reach.js';
import type { Queryable } from '../db/pool.js';
import { TryggError } from '../errors.js';
import type { Channel, Logger } from '../ports.js';
import type { DeliveryLog } from './deliveries.js';
import type { Notification } from './draft.js';
import { Outbox, type ChannelPosition, type Claimed } from './outbox.js';
import { DEFAULT_RECEIPT_TIMEOUT_S } from '../contracts/escalation.js';

/** The channels an installation can send on, by kind. */
export type Channels = Partial<Record<ChannelKind, Channel>>;

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
    private readonly channels: Channels,
    private readonly facts: DeliveryLog,
    /** Every channel of an alert failed: the engine applies it (resolves once committed). */
    private readonly onUndeliverable: (n: Notification) => Promise<void>,
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
    const done = this.walk(c, abort.signal)
      .catch((err: unknown) =>
        this.logger.warn(
          { err, notification: c.id, code: 'TRYGG_ERR_STORE_UNAVAILABLE' },
          'could not record a delivery; the lease lapses and it is tried again',
        ),
      )
      .finally(() => {
        this.running.delete(c.id);
        if (this.saturated) this.wake();
      });
    this.running.set(c.id, { abort, done });
  }

  /** Takes the notification from where its row says, channel by channel, until it waits, is done, or is due again. */
  private async walk(c: Claimed, stop: AbortSignal): Promise<void> {
    const n = c.notification;
    const reach = reachOf(n.recipient);
    const receiptMs = (n.receiptTimeoutS ?? DEFAULT_RECEIPT_TIMEOUT_S) * 1000;
    let index = c.channelIndex;
    let startedAt = c.state === 'pending' ? c.channelStartedAt : null;
    const reasons: string[] = [];
    if (c.state === 'awaiting' && c.channel) {
      const reason = `no delivery receipt within ${Math.round(receiptMs / 1000)} s`;
      await this.facts.record(c.id, c.channel, 'failed', reason);
      reasons.push(`${c.channel}: ${reason}`);
      index += 1;
    }
    for (let first = true; ; first = false) {
      if (this.stopped) {
        await this.outbox.release(c);
        return;
      }
      const kind = reach[index];
      if (!kind) {
        await this.exhausted(c, index, reasons);
        return;
      }
      // A walk that moves on starts a new send: the lease covers it.
      if (!first && !(await this.outbox.renew(c, this.opts.timeoutMs + LEASE_MARGIN_MS))) return;
      const at: ChannelPosition = { index, channel: kind, startedAt: startedAt ?? new Date() };
      startedAt = null;
      const outcome = await this.sendOn(c, at, receiptMs, stop);
      if (outcome === 'done') return;
      reasons.push(outcome.reason.startsWith(`${kind}:`) ? outcome.reason : `${kind}: ${outcome.reason}`);
      index += 1;
    }
  }

  /** One channel: done (delivered, waiting for a receipt, or due again on it), or on to the next. */
  private async sendOn(
    c: Claimed,
    at: ChannelPosition,
    receiptMs: number,
    stop: AbortSignal,
  ): Promise<'done' | { reason: string }> {
    const channel = this.channels[at.channel];
    if (!channel) {
      const reason = `no ${at.channel} channel on this installation`;
      await this.facts.record(c.id, at.channel, 'failed', reason);
      return { reason };
    }
    // The attempt's timeout says what happened ("no answer within 1000 ms"), not the platform's generic abort.
    const attempt = new AbortController();
    const timer = setTimeout(() => attempt.abort(new Error(`no answer within ${this.opts.timeoutMs} ms`)), this.opts.timeoutMs);
    const signal = AbortSignal.any([stop, attempt.signal]);
    let result: Awaited<ReturnType<Channel['send']>>;
    try {
      // A channel that ignores the signal still gives its slot back at the timeout.
      result = await Promise.race([channel.send(c.notification, { signal }), aborted(signal)]);
    } catch (err) {
      return this.sendFailed(c, at, receiptMs, err);
    } finally {
      clearTimeout(timer);
    }
    if (result.state === 'delivered') {
      await this.facts.record(c.id, at.channel, 'delivered');
      // Not marked (the database is away): the lease lapses and it is delivered again, same id.
      await this.outbox.sent(c.id);
      return 'done';
    }
    await this.facts.record(c.id, at.channel, 'sent');
    const marked = await this.outbox.awaiting(c, at, result.ref, receiptMs);
    if (marked === 'next') return { reason: 'failed receipt' };
    return 'done';
  }

  private async sendFailed(
    c: Claimed,
    at: ChannelPosition,
    receiptMs: number,
    err: unknown,
  ): Promise<'done' | { reason: string }> {
    if (this.stopped) {
      await this.outbox.release(c);
      return 'done';
    }
    const reason = err instanceof Error ? err.message : String(err);
    const where = {
      notification: c.id,
      alarmId: c.notification.alarmId,
      kind: c.notification.kind,
      channel: at.channel,
      attempts: c.attempts,
      reason,
    };
    const forGood = err instanceof TryggError && err.code === 'TRYGG_ERR_NOTIFICATION_FAILED';
    const delayMs = this.backoff(c.attempts);
    const windowEnds = at.startedAt.getTime() + receiptMs;
    const outOfTime = Date.now() + delayMs > windowEnds;
    if (forGood || c.attempts >= this.opts.maxAttempts || outOfTime) {
      // Given up for the channel's own answer, after the last attempt, or when its receipt window
      // would end before the next: only the last says "within" (the channel's name is added once, by the walk).
      const own = reason.startsWith(`${at.channel}: `) ? reason.slice(at.channel.length + 2) : reason;
      const why =
        forGood || c.attempts >= this.opts.maxAttempts
          ? reason
          : `not delivered within ${Math.round(receiptMs / 1000)} s: ${own}`;
      await this.facts.record(c.id, at.channel, 'failed', why);
      this.logger.warn({ ...where, code: 'TRYGG_ERR_NOTIFICATION_FAILED' }, 'channel failed; trying the next');
      return { reason: why };
    }
    await this.outbox.retry(c, delayMs, reason, at);
    this.logger.warn({ ...where, retryInMs: delayMs }, 'notification delivery failed; will retry');
    return 'done';
  }

  /** No channel left: the engine hears of an alert first (so a crash in between tells it again), then `failed`. */
  private async exhausted(c: Claimed, index: number, reasons: string[]): Promise<void> {
    const n = c.notification;
    const reason = reasons.length > 0 ? reasons.join('; ') : 'no channel left';
    if (n.kind === 'alert') {
      try {
        await this.onUndeliverable(n);
      } catch (err) {
        const delayMs = this.backoff(c.attempts);
        this.logger.warn({ err, notification: c.id, retryInMs: delayMs }, 'could not tell the engine; will retry');
        await this.outbox.later(c, delayMs, reason, index);
        return;
      }
    }
    await this.outbox.failed(c, reason, index);
    this.logger.warn(
      { notification: c.id, alarmId: n.alarmId, kind: n.kind, reason, code: 'TRYGG_ERR_NOTIFICATION_FAILED' },
      'notification reached nobody on any channel',
    );
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
