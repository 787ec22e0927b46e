/**
 * The notification outbox: notifications are rows written in the transaction that decided them
 * and delivered after commit by the deliverer (`deliverer.ts`). This is the rows' life cycle:
 * claimed for a lease before sending (so each goes to one deliverer, and only a lease that lapses
 * — a crashed or stalled deliverer — lets anyone send it again), sent as soon as delivered,
 * tried again later, or failed for good with the reason a next channel can pick up.
 *
 * The attempt count doubles as the claim's fencing token: only the holder of the latest attempt
 * may schedule a retry or give up, so a stalled deliverer waking up late cannot undo a newer one.
 */
import { GroupCommit } from '../db/group-commit.js';
import type { Queryable } from '../db/pool.js';
import type { Notification } from './draft.js';

/** A notification this deliverer holds until `leaseMs` after its claim. */
export interface Claimed {
  id: string;
  /** This attempt's number (1 for the first), also the claim's token. */
  attempts: number;
  notification: Notification;
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
    const { rows } = await this.db.query<{ id: string; attempts: number; payload: Notification }>(
      `UPDATE notifications n SET attempts = n.attempts + 1, next_attempt_at = now() + $2 * interval '1 millisecond'
         FROM (SELECT id FROM notifications WHERE state = 'pending' AND next_attempt_at <= now()
                ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED) due
        WHERE n.id = due.id
        RETURNING n.id, n.attempts, n.payload`,
      [limit, leaseMs],
    );
    return rows.map((r) => ({ id: r.id, attempts: r.attempts, notification: r.payload }));
  }

  /** Delivered: marked sent now (even if a later claim or a give-up overtook this one: it did arrive). */
  sent(id: string): Promise<void> {
    return this.sentMarks.submit(id);
  }

  /** Not delivered this time: due again after `delayMs`. */
  async retry(c: Claimed, delayMs: number, reason: string): Promise<void> {
    await this.db.query(
      `UPDATE notifications SET next_attempt_at = now() + $3 * interval '1 millisecond', last_error = $4
        WHERE id = $1 AND attempts = $2 AND state = 'pending'`,
      [c.id, c.attempts, delayMs, reason.slice(0, MAX_REASON)],
    );
  }

  /** Given up: `failed` with the reason, for a next channel (or a person) to pick up. */
  async failed(c: Claimed, reason: string): Promise<void> {
    await this.db.query(
      `UPDATE notifications SET state = 'failed', failed_at = now(), last_error = $3
        WHERE id = $1 AND attempts = $2 AND state = 'pending'`,
      [c.id, c.attempts, reason.slice(0, MAX_REASON)],
    );
  }

  /** The deliverer stopped before the attempt ended: due again at once, and the attempt not counted. */
  async release(c: Claimed): Promise<void> {
    await this.db.query(
      `UPDATE notifications SET next_attempt_at = now(), attempts = attempts - 1 WHERE id = $1 AND attempts = $2 AND state = 'pending'`,
      [c.id, c.attempts],
    );
  }

  /** Waits for the sent marks in flight (before the pool closes). */
  flush(): Promise<void> {
    return this.sentMarks.flush();
  }
}
