/**
 * The SMS channel's tables (migration 1700000000915): each text handed to the gateway, by the
 * gateway's message id (for receipts) and by phone number (for replies), and each reply taken
 * once. Also where a person's phone number and language are looked up at send time.
 */
import type { Queryable, Recipient } from '@trygg/alarm-core';

/** What an SMS was about; `reply` is Trygg's answer to a reply (a confirmation or the help text). */
export type SmsKind = 'alert' | 'inform' | 'taken' | 'closed' | 'check' | 'reply';

/** The recipient as kept beside a text: who, not their name (read fresh when needed). */
export type SmsRecipient = Pick<Recipient, 'id' | 'kind' | 'userId'>;

export interface SubmittedSms {
  messageId: string;
  notificationId: string | null;
  alarmId: string | null;
  recipient: SmsRecipient | null;
  phone: string;
  code: string | null;
  kind: SmsKind;
}

interface Row {
  message_id: string;
  notification_id: string | null;
  alarm_id: string | null;
  recipient: SmsRecipient | null;
  phone: string;
  code: string | null;
  kind: SmsKind;
}

const COLUMNS = 'message_id, notification_id, alarm_id, recipient, phone, code, kind';
const toSms = (r: Row): SubmittedSms => ({
  messageId: r.message_id,
  notificationId: r.notification_id,
  alarmId: r.alarm_id,
  recipient: r.recipient,
  phone: r.phone,
  code: r.code,
  kind: r.kind,
});

export async function recordSubmitted(db: Queryable, s: SubmittedSms): Promise<void> {
  await db.query(
    `INSERT INTO sms_messages (message_id, notification_id, alarm_id, recipient, phone, code, kind) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [s.messageId, s.notificationId, s.alarmId, s.recipient, s.phone, s.code, s.kind],
  );
}

/** The text already submitted for this notification (a second attempt after a lapsed lease), if any. */
export async function submittedFor(db: Queryable, notificationId: string): Promise<SubmittedSms | null> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM sms_messages WHERE notification_id = $1 ORDER BY sent_at DESC, id DESC LIMIT 1`,
    [notificationId],
  );
  return rows[0] ? toSms(rows[0]) : null;
}

/** The text a receipt is about: the newest with that gateway message id. */
export async function byMessageId(db: Queryable, messageId: string): Promise<SubmittedSms | null> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM sms_messages WHERE message_id = $1 ORDER BY sent_at DESC, id DESC LIMIT 1`,
    [messageId],
  );
  return rows[0] ? toSms(rows[0]) : null;
}

/** Alerts older than this are not answered by SMS (and a reply to only such old ones is from a number not alerted). */
export const REPLY_WINDOW_DAYS = 7;

/** The newest alerts sent to a number within the reply window, newest first, one per alarm and person. */
export async function alertsTo(db: Queryable, phone: string, limit = 20): Promise<SubmittedSms[]> {
  const { rows } = await db.query<Row & { sent_at: Date }>(
    `SELECT * FROM (
       SELECT DISTINCT ON (alarm_id, recipient->>'id') ${COLUMNS}, sent_at
         FROM sms_messages WHERE phone = $1 AND kind = 'alert' AND sent_at > now() - make_interval(days => ${REPLY_WINDOW_DAYS})
        ORDER BY alarm_id, recipient->>'id', sent_at DESC, id DESC) latest
      ORDER BY sent_at DESC LIMIT $2`,
    [phone, limit],
  );
  return rows.map(toSms);
}

/** Takes a reply once: false when the same message was taken before (the gateway sent it twice). */
export async function takeReply(db: Queryable, key: string, phone: string): Promise<boolean> {
  const r = await db.query('INSERT INTO sms_replies (key, phone) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, phone]);
  return r.rowCount === 1;
}

export async function replyOutcome(db: Queryable, key: string, outcome: string): Promise<void> {
  await db.query('UPDATE sms_replies SET outcome = $2 WHERE key = $1', [key, outcome]);
}

/** Gives a reply back (it could not be handled now): a second delivery of it is handled. */
export async function releaseReply(db: Queryable, key: string): Promise<void> {
  await db.query('DELETE FROM sms_replies WHERE key = $1', [key]);
}

/** How to reach a person by SMS, as the registry says now. */
export interface SmsContact {
  /** As typed in the registry; null when none. */
  phone: string | null;
  /** The person's language; null for a relative without an account (the installation's default is used). */
  locale: string | null;
  name: string;
  /** For a relative: the resident's consent stands. Always true for staff. */
  consent: boolean;
  /** The account's roles (an Actor's role); empty for a relative without an account. */
  roles: string[];
}

/** The person's phone number, language and consent: a relative's from the registry, anyone else's from their account. */
export async function contactOf(db: Queryable, r: SmsRecipient): Promise<SmsContact | null> {
  if (r.kind === 'relative') {
    const { rows } = await db.query<SmsContact>(
      `SELECT coalesce(rl.phone, u.phone) AS phone, u.locale, rl.name, rl.consent_at IS NOT NULL AS consent,
              coalesce(u.roles, '{}') AS roles
         FROM relatives rl LEFT JOIN users u ON u.id = rl.user_id WHERE rl.id = $1`,
      [r.id],
    );
    return rows[0] ?? null;
  }
  if (!r.userId) return null;
  const { rows } = await db.query<SmsContact>(
    `SELECT phone, locale, display_name AS name, true AS consent, roles FROM users WHERE id = $1`,
    [r.userId],
  );
  return rows[0] ?? null;
}
