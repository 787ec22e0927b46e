/**
 * The Notifier port over web push (RFC 8030): each notification goes to every device its person
 * subscribed, encrypted for that device (RFC 8291), with the installation's VAPID header
 * (RFC 8292, cached per push-service origin). An alert carries Accept / Decline buttons and a
 * short-lived token scoped to this notification, alarm and person, so the service worker can
 * answer from the lock screen without a signed-in page.
 *
 * The outbox calls this after commit and again (same id) until it returns without throwing; the
 * push `Topic` (per alarm) lets the push service replace an undelivered older message, and the
 * service worker shows each notification id once.
 */
import { createHash } from 'node:crypto';
import type { Logger, Notification, Notifier, PushAction, PushPayload, Queryable } from '@trygg/alarm-core';
import type { PushEncryptor, SubscriptionKeys } from './ece.js';
import { backlogText, pushText } from './push-text.js';
import { dropSubscription, subscriptionsOf, type StoredSubscription } from './subscriptions.js';
import type { VapidAuth } from './vapid.js';

/** What an action token says: who may do which of these to which alarm, from which notification. */
export interface ActionClaims {
  userId: string;
  notificationId: string;
  alarmId: string;
  actions: PushAction[];
}

export interface WebPushNotifierDeps {
  db: Queryable;
  vapid: VapidAuth;
  encryptor: PushEncryptor;
  signAction(claims: ActionClaims): Promise<string>;
  logger: Logger;
  /** Seconds a push service keeps an undelivered alert (RFC 8030 §5.2 TTL). */
  ttlS?: number;
  timeoutMs?: number;
}

export interface PushRequest {
  endpoint: string;
  headers: Record<string, string>;
  body: Buffer;
}

/** The notification's sequence within its alarm (ids are `<alarm>:n<seq>`). */
function seqOf(id: string): number {
  const m = /:n(\d+)$/.exec(id);
  return m ? Number(m[1]) : 0;
}

export class WebPushNotifier implements Notifier {
  constructor(private readonly deps: WebPushNotifierDeps) {}

  async notify(n: Notification): Promise<void> {
    const userId = n.recipient.userId;
    // The response centre as a group has no phone: operators see alarms on the console.
    if (!userId) return;
    const subs = await subscriptionsOf(this.deps.db, userId);
    if (subs.length === 0) {
      this.deps.logger.info({ notification: n.id, userId, kind: n.kind }, 'no push subscription; notification not pushed');
      return;
    }
    const results = await Promise.allSettled(subs.map(async (s) => this.send(s, await this.payload(n, s))));
    const failed = results.filter((r) => r.status === 'rejected');
    for (const f of failed) this.deps.logger.warn({ err: f.reason as unknown, notification: n.id }, 'push failed');
    // Retry (the outbox keeps it unsent) only when no device got it: the others show it once.
    if (failed.length === subs.length) throw new Error(`push to ${userId} failed on every device`);
  }

  /**
   * The journal backlog alert (raised or cleared) to every administrator's devices: one
   * notification per administrator, replaced by the next state (same tag and topic).
   */
  async notifyJournalBacklog(state: { alerting: boolean; oldestUndeliveredS: number | null }): Promise<void> {
    const { rows } = await this.deps.db.query<{ id: string }>(`SELECT id FROM users WHERE 'admin' = ANY(roles)`);
    const seq = Math.floor(Date.now() / 1000);
    await Promise.allSettled(
      rows.map(async ({ id }) => {
        for (const s of await subscriptionsOf(this.deps.db, id)) {
          const text = backlogText(s.locale, state.alerting, state.oldestUndeliveredS);
          const payload: PushPayload = {
            notificationId: `journal-backlog:${seq}`,
            alarmId: 'journal-backlog',
            kind: 'system',
            seq,
            title: text.title,
            body: text.body,
            actions: [],
            actionToken: null,
            done: { accept: '', decline: '', failed: '' },
          };
          await this.send(s, payload).catch((err: unknown) => this.deps.logger.warn({ err, userId: id }, 'backlog push failed'));
        }
      }),
    );
  }

  /** The decrypted body for one device, in its person's language. */
  async payload(n: Notification, s: Pick<StoredSubscription, 'locale'>): Promise<PushPayload> {
    const text = pushText(s.locale, n.kind, n.summary);
    const asks = n.kind === 'alert';
    const actions: PushAction[] = asks ? ['accept', 'decline'] : [];
    const actionToken =
      asks && n.recipient.userId
        ? await this.deps.signAction({ userId: n.recipient.userId, notificationId: n.id, alarmId: n.alarmId, actions })
        : null;
    return {
      notificationId: n.id,
      alarmId: n.alarmId,
      kind: n.kind,
      seq: seqOf(n.id),
      title: text.title,
      body: text.body,
      actions: actions.map((a) => ({ action: a, title: text.actions[a] })),
      actionToken,
      done: text.done,
    };
  }

  /** Everything needed to POST one message: headers (VAPID cached per origin) and the encrypted body. */
  prepare(endpoint: string, keys: SubscriptionKeys, payload: PushPayload | string): PushRequest {
    const body = this.deps.encryptor.encrypt(keys, Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)));
    const alert = typeof payload !== 'string' && payload.kind === 'alert';
    return {
      endpoint,
      headers: {
        authorization: this.deps.vapid.headerFor(endpoint),
        'content-encoding': 'aes128gcm',
        'content-type': 'application/octet-stream',
        ttl: String(this.deps.ttlS ?? 600),
        // RFC 8030 §5.3: an alarm is worth waking a sleeping phone for.
        urgency: alert ? 'high' : 'normal',
        // RFC 8030 §5.4: a newer message for the same alarm replaces an undelivered older one.
        ...(typeof payload === 'string'
          ? {}
          : { topic: createHash('sha256').update(payload.alarmId).digest('base64url').slice(0, 32) }),
      },
      body,
    };
  }

  private async send(s: StoredSubscription, payload: PushPayload): Promise<void> {
    const req = this.prepare(s.endpoint, { p256dh: s.p256dh, auth: s.auth }, payload);
    const res = await fetch(req.endpoint, {
      method: 'POST',
      headers: req.headers,
      body: new Uint8Array(req.body),
      signal: AbortSignal.timeout(this.deps.timeoutMs ?? 10_000),
    });
    await res.arrayBuffer().catch(() => undefined);
    if (res.status === 201 || res.status === 202) return;
    if (res.status === 404 || res.status === 410) {
      // RFC 8030 §7.3: the subscription expired or was unsubscribed; it will never work again.
      await dropSubscription(this.deps.db, s.id);
      this.deps.logger.info({ userId: s.userId, device: s.device, status: res.status }, 'push subscription gone; removed');
      return;
    }
    throw new Error(`push service answered ${res.status}`);
  }
}
