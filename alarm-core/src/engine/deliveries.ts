/**
 * Delivery facts: what became of each notification on each channel (sent, delivered, seen,
 * answered, failed), kept in `notification_deliveries` and shown live to operators. The deliverer
 * records what it saw itself; channels report the rest afterwards (`DeliveryReports`: a push
 * service worker's receipt, an SMPP delivery receipt, an SMS answer). A `delivered` (or `seen`,
 * `answered`) report ends the wait for a receipt; a `failed` report moves the notification to the
 * person's next channel at once.
 */
import type { NamedDeliveryFact } from '../contracts/deliveries.js';
import type { ChannelKind, DeliveryState } from '../contracts/reach.js';
import type { Queryable } from '../db/pool.js';
import { TryggError } from '../errors.js';
import type { DeliveryReports, Logger } from '../ports.js';

/** Longest reason kept (a channel's answer, never personal data). */
const MAX_REASON = 500;

export interface DeliveryLogDeps {
  db: Queryable;
  logger: Logger;
  /** Each fact once recorded (the live channel to operators). */
  onFact?: (fact: NamedDeliveryFact) => void;
  /** A failed report moved a notification on: the deliverer should look for due work. */
  wake?: () => void;
}

interface FactRow {
  notification_id: string;
  alarm_id: string;
  recipient_id: string;
  recipient_name: string;
  channel: ChannelKind;
  state: DeliveryState;
  reason: string | null;
  at: Date;
}

const toFact = (r: FactRow): NamedDeliveryFact => ({
  notificationId: r.notification_id,
  alarmId: r.alarm_id,
  recipientId: r.recipient_id,
  recipientName: r.recipient_name,
  channel: r.channel,
  state: r.state,
  reason: r.reason,
  at: r.at.toISOString(),
});

/** Records the facts and takes channels' reports. */
export class DeliveryLog implements DeliveryReports {
  constructor(private readonly deps: DeliveryLogDeps) {}

  /** One fact about a notification (by id); the notification's alarm and person are read with it. */
  async record(
    notificationId: string,
    channel: ChannelKind,
    state: DeliveryState,
    reason: string | null = null,
    at: Date = new Date(),
  ): Promise<NamedDeliveryFact | null> {
    // Each fact but `failed` once per notification and channel (two phones' receipts are one fact).
    const { rows } = await this.deps.db.query<FactRow>(
      `INSERT INTO notification_deliveries (notification_id, alarm_id, recipient_id, channel, state, reason, at)
       SELECT n.id, n.alarm_id, n.recipient->>'id', $2, $3, $4, $5 FROM notifications n
        WHERE n.id = $1 AND ($3 = 'failed' OR NOT EXISTS (
          SELECT 1 FROM notification_deliveries d WHERE d.notification_id = $1 AND d.channel = $2 AND d.state = $3))
       RETURNING notification_id, alarm_id, recipient_id, channel, state, reason, at,
                 (SELECT recipient->>'name' FROM notifications WHERE id = $1) AS recipient_name`,
      [notificationId, channel, state, reason?.slice(0, MAX_REASON) ?? null, at],
    );
    const row = rows[0];
    if (!row) return null;
    const fact = toFact(row);
    try {
      this.deps.onFact?.(fact);
    } catch (err) {
      this.deps.logger.error({ err, code: 'TRYGG_ERR_INTERNAL' }, 'delivery fact not published live');
    }
    return fact;
  }

  /**
   * A channel's report after `send`. Unknown notification ids are refused
   * (`TRYGG_ERR_NOT_FOUND`); a report for a channel the notification has left is kept as a fact
   * and changes nothing else. Whether it was new (a second phone's same receipt is not).
   */
  async report(r: Parameters<DeliveryReports['report']>[0]): Promise<void> {
    await this.take(r);
  }

  /** `report`, answering whether the fact was new. */
  async take(r: Parameters<DeliveryReports['report']>[0]): Promise<boolean> {
    const known = await this.deps.db.query('SELECT 1 FROM notifications WHERE id = $1', [r.notificationId]);
    if (known.rowCount !== 1) throw new TryggError('TRYGG_ERR_NOT_FOUND', 'no such notification');
    const fact = await this.record(r.notificationId, r.channel, r.state, r.reason ?? null, r.at ?? new Date());
    if (r.state === 'failed') {
      // On to the next channel now, not at the receipt deadline.
      const { rowCount } = await this.deps.db.query(
        `UPDATE notifications SET state = 'pending', channel_index = channel_index + 1, channel = NULL,
                channel_started_at = NULL, channel_ref = NULL, receipt_due_at = NULL, next_attempt_at = now(), last_error = $3
          WHERE id = $1 AND state = 'awaiting' AND channel = $2`,
        [r.notificationId, r.channel, `${r.channel}: ${r.reason ?? 'failed'}`.slice(0, MAX_REASON)],
      );
      if (rowCount === 1) this.deps.wake?.();
      return fact !== null;
    }
    // Delivered, or more (seen, answered, which can only follow delivery): the wait is over.
    await this.deps.db.query(
      `UPDATE notifications SET state = 'sent', sent_at = now(), receipt_due_at = NULL
        WHERE id = $1 AND state = 'awaiting' AND channel = $2`,
      [r.notificationId, r.channel],
    );
    return fact !== null;
  }

  /** Every fact of an alarm, oldest first (the operator's card and timeline). */
  async ofAlarm(alarmId: string): Promise<NamedDeliveryFact[]> {
    const { rows } = await this.deps.db.query<FactRow>(
      `SELECT d.notification_id, d.alarm_id, d.recipient_id, n.recipient->>'name' AS recipient_name, d.channel, d.state, d.reason, d.at
         FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id
        WHERE d.alarm_id = $1 ORDER BY d.at, d.id`,
      [alarmId],
    );
    return rows.map(toFact);
  }
}
