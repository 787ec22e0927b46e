/**
 * The notification outbox: notifications are rows written in the transaction that decided them,
 * delivered after commit and marked sent. Whatever a crash left unsent is delivered by the sweep.
 * Delivery is at least once; the notification id lets the receiver (push `Topic`, the service
 * worker's notification `tag`) show it once.
 */
import type { Queryable } from '../db/pool.js';
import type { Logger, Notifier } from '../ports.js';
import type { Notification } from './draft.js';

export class Outbox {
  constructor(
    private readonly db: Queryable,
    private readonly notifier: Notifier,
    private readonly logger: Logger,
  ) {}

  /**
   * Delivers, then marks what was delivered sent in one statement. A crash between the two is
   * the only way a notification goes out twice, and then with the same id.
   */
  async deliver(ns: readonly Notification[]): Promise<void> {
    const sent: string[] = [];
    for (const n of ns) {
      try {
        await this.notifier.notify(n);
        sent.push(n.id);
      } catch (err) {
        this.logger.warn({ err, notification: n.id }, 'notification delivery failed; will retry');
      }
    }
    if (sent.length === 0) return;
    try {
      await this.db.query('UPDATE notifications SET sent_at = now(), attempts = attempts + 1 WHERE id = ANY($1)', [sent]);
    } catch (err) {
      // Not marked: the sweep delivers them again (same ids), which receivers show once.
      this.logger.warn({ err, count: sent.length }, 'could not mark notifications sent');
    }
  }

  /** Delivers what was committed but not marked sent (a crash, a failed delivery) for `olderThanMs`. */
  async sweep(olderThanMs: number): Promise<number> {
    const { rows } = await this.db.query<{ payload: Notification }>(
      `SELECT payload FROM notifications WHERE sent_at IS NULL AND created_at < now() - $1 * interval '1 millisecond'
        ORDER BY created_at LIMIT 500`,
      [olderThanMs],
    );
    await this.deliver(rows.map((r) => r.payload));
    return rows.length;
  }
}
