/**
 * The notification outbox: notifications are rows written in the transaction that decided them
 * and delivered after commit by the deliverer (`deliverer.ts`). This is the rows' life cycle:
 * claimed for a lease before sending (so each goes to one deliverer, and only a lease that lapses
 * — a crashed or stalled deliverer — lets anyone send it again), then on its current channel
 * (`channel_index` into the recipient's reach): `sent` as soon as delivered, `awaiting` a delivery
 * receipt until `receipt_due_at` (claimed again then, as a receipt timeout), tried again later on
 * the same channel, moved to the next channel, or `failed` when no channel is left.
 *
 * The attempt count doubles as the claim's fencing token: only the holder of the latest attempt
 * may schedule a retry or give up, so a stalled deliverer waking up late cannot undo a newer one.
 */
import { GroupCommit } from '../db/group-commit.js';
import type { Queryable } from '../db/pool.js';
import type { ChannelKind } from '../contracts/reach.js';
import type { Notification } from './draft.js';

/** A notification this deliverer holds until `leaseMs` after its claim. */
export interface Claimed {
  id: string;
  /** This attempt's number (1 for the first), also the claim's token. */
  attempts: number;
  notification: Notification;
  /** `awaiting`: its receipt window on `channel` ran out (claimed for that). */
  state: 'pending' | 'awaiting';
  /** Position in the recipient's reach. */
  channelIndex: number;
  channel: ChannelKind | null;
  /** When the current channel was first tried (its receipt window bounds the retries). */
  channelStartedAt: Date | null;
}

/** Where a notification is on its walk through the person's channels. */
export interface ChannelPosition {
  index: number;
  channel: ChannelKind;
  startedAt: Date;
}

/** Longest reason kept per notification (a channel's answer, never personal data). */
const MAX_REASON = 500;

export class Outbox {
  private readonly sentMarks: GroupCommit<string, void>;

  constructor(private readonly db: Queryable) {
    // Deliveries that finish while a mark is being written share the next write: each is marked
    // as soon as it is delivered, without a statement per notification under a burst.
    this.sentMarks = new GroupCommit<string, void>(async (ids) => {
      await db.query(`UPDATE notifications SET state = 'sent', sent_at = now() WHERE id = ANY($1) AND state <> 'sent'`, [ids]);
      return ids.map(() => undefined);
    });
  }

  /**
   * Claims up to `limit` due notifications for `leaseMs`, oldest due first. `SKIP LOCKED`: nodes
   * claiming at once get different rows, and none waits for another.
   */
  async claim(limit: number, leaseMs: number): Promise<Claimed[]> {
    const { rows } = await this.db.query<{
      id: string;
      attempts: number;
      payload: Notification;
      state: 'pending' | 'awaiting';
      channel_index: number;
      channel: ChannelKind | null;
      channel_started_at: Date | null;
    }>(
      `UPDATE notifications n SET attempts = n.attempts + 1, next_attempt_at = now() + $2 * interval '1 millisecond'
         FROM (SELECT id FROM notifications WHERE state IN ('pending', 'awaiting') AND next_attempt_at <= now()
                ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED) due
        WHERE n.id = due.id
        RETURNING n.id, n.attempts, n.payload, n.state, n.channel_index, n.channel, n.channel_started_at`,
      [limit, leaseMs],
    );
    return rows.map((r) => ({
      id: r.id,
      attempts: r.attempts,
      notification: r.payload,
      state: r.state,
      channelIndex: r.channel_index,
      channel: r.channel,
      channelStartedAt: r.channel_started_at,
    }));
  }

  /** Delivered: marked sent now (even if a later claim or a give-up overtook this one: it did arrive). */
  sent(id: string): Promise<void> {
    return this.sentMarks.submit(id);
  }

  /** Extends the claim's lease (a walk to the next channel starts a new send). False: the claim was lost. */
  async renew(c: Claimed, leaseMs: number): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `UPDATE notifications SET next_attempt_at = now() + $3 * interval '1 millisecond'
        WHERE id = $1 AND attempts = $2 AND state IN ('pending', 'awaiting')`,
      [c.id, c.attempts, leaseMs],
    );
    return rowCount === 1;
  }

  /**
   * Handed over on `at.channel`: waits for its receipt until `receiptMs` from now. A receipt that
   * came back before this mark (a fast gateway) is honoured: then it is `sent` at once, or, when
   * that receipt said failed, the answer is `next` (try the next channel). `lost`: another claim
   * overtook this one.
   */
  async awaiting(
    c: Claimed,
    at: ChannelPosition,
    ref: string | null,
    receiptMs: number,
  ): Promise<'awaiting' | 'sent' | 'next' | 'lost'> {
    const { rows } = await this.db.query<{ state: string; failed: boolean }>(
      `WITH facts AS (
         SELECT bool_or(state IN ('delivered', 'seen', 'answered')) AS delivered, bool_or(state = 'failed') AS failed
           FROM notification_deliveries WHERE notification_id = $1 AND channel = $4)
       UPDATE notifications n SET
         state = CASE WHEN coalesce(f.delivered, false) THEN 'sent' ELSE 'awaiting' END,
         sent_at = CASE WHEN coalesce(f.delivered, false) THEN now() ELSE n.sent_at END,
         channel_index = $3, channel = $4, channel_started_at = $5, channel_ref = $6,
         receipt_due_at = now() + $7 * interval '1 millisecond', next_attempt_at = now() + $7 * interval '1 millisecond'
         FROM facts f
        WHERE n.id = $1 AND n.attempts = $2 AND n.state IN ('pending', 'awaiting')
        RETURNING n.state, coalesce(f.failed, false) AND NOT coalesce(f.delivered, false) AS failed`,
      [c.id, c.attempts, at.index, at.channel, at.startedAt, ref, receiptMs],
    );
    const r = rows[0];
    if (!r) return 'lost';
    if (r.state === 'sent') return 'sent';
    return r.failed ? 'next' : 'awaiting';
  }

  /** Not delivered this time on `at.channel`: due again on it after `delayMs`. */
  async retry(c: Claimed, delayMs: number, reason: string, at: ChannelPosition): Promise<void> {
    await this.db.query(
      `UPDATE notifications SET next_attempt_at = now() + $3 * interval '1 millisecond', last_error = $4,
              state = 'pending', channel_index = $5, channel = $6, channel_started_at = $7, receipt_due_at = NULL
        WHERE id = $1 AND attempts = $2 AND state IN ('pending', 'awaiting')`,
      [c.id, c.attempts, delayMs, reason.slice(0, MAX_REASON), at.index, at.channel, at.startedAt],
    );
  }

  /** Due again after `delayMs` at channel position `index` (past the last: the engine must still be told). */
  async later(c: Claimed, delayMs: number, reason: string, index: number): Promise<void> {
    await this.db.query(
      `UPDATE notifications SET next_attempt_at = now() + $3 * interval '1 millisecond', last_error = $4,
              state = 'pending', channel_index = $5, channel = NULL, channel_started_at = NULL, receipt_due_at = NULL
        WHERE id = $1 AND attempts = $2 AND state IN ('pending', 'awaiting')`,
      [c.id, c.attempts, delayMs, reason.slice(0, MAX_REASON), index],
    );
  }

  /** No channel is left: `failed` with the reason. */
  async failed(c: Claimed, reason: string, index: number): Promise<void> {
    await this.db.query(
      `UPDATE notifications SET state = 'failed', failed_at = now(), last_error = $3, channel_index = $4, receipt_due_at = NULL
        WHERE id = $1 AND attempts = $2 AND state IN ('pending', 'awaiting')`,
      [c.id, c.attempts, reason.slice(0, MAX_REASON), index],
    );
  }

  /** The deliverer stopped before the attempt ended: due again at once, and the attempt not counted. */
  async release(c: Claimed): Promise<void> {
    await this.db.query(
      `UPDATE notifications SET next_attempt_at = CASE WHEN state = 'awaiting' THEN least(receipt_due_at, now()) ELSE now() END,
              attempts = attempts - 1
        WHERE id = $1 AND attempts = $2 AND state IN ('pending', 'awaiting')`,
      [c.id, c.attempts],
    );
  }

  /** Waits for the sent marks in flight (before the pool closes). */
  flush(): Promise<void> {
    return this.sentMarks.flush();
  }
}
