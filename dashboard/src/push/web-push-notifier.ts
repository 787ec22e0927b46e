/**
 * The push Channel over web push (RFC 8030): each notification goes to every device its person
 * subscribed, encrypted for that device (RFC 8291), with the installation's VAPID header
 * (RFC 8292, cached per push-service origin). An alert carries Accept / Decline buttons and a
 * short-lived token scoped to this notification, alarm and person, so the service worker can
 * answer from the lock screen without a signed-in page.
 *
 * The deliverer calls `send` once per attempt, with a signal that ends the attempt. It resolves
 * `sent` when at least one push service took the message (the service worker then confirms it
 * reached the phone: `delivered`, through `POST /api/push/receipts`); it rejects to be tried again
 * (a push service overloaded or unreachable), or with `TRYGG_ERR_NOTIFICATION_FAILED` when push
 * can never reach this person (no account, no subscription, every subscription gone — 404 / 410 —
 * or refused for good), so the person's next channel takes over at once. The push `Topic` (per alarm) lets the push service replace an
 * undelivered older message, and the service worker shows each notification id once.
 *
 * Every request connects only where the EndpointGuard allows (checked as the connection is made).
 */
import { createHash } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import {
  TryggError,
  type Channel,
  type ChannelResult,
  type Logger,
  type Notification,
  type NotifyOptions,
  type PushAction,
  type PushPayload,
  type Queryable,
} from '@trygg/alarm-core';
import type { PushEncryptor, SubscriptionKeys } from './ece.js';
import { EndpointGuard } from './endpoint-guard.js';
import { postPush } from './post.js';
import { backlogText, chainText, pushText } from './push-text.js';
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
  /** Where pushes may go (default: public https endpoints only, no allow-listed origin). */
  guard?: EndpointGuard;
  /** Per-request timeout when the caller gives no signal (the journal backlog alert). */
  timeoutMs?: number;
  /**
   * Told of every request to a push service: `ok` when the service answered as a service does
   * (taken, or the subscription is gone), `failed` when it could not be reached or failed on its
   * side (network, timeout, 408 / 425 / 429 / 5xx). A refusal of one subscription (other 4xx) says
   * nothing about the service and is not told. For the push integration's health.
   */
  observe?(outcome: 'ok' | 'failed', error?: string): void;
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

/** The relative is still named by their resident (consent given and not withdrawn). */
export async function consentStands(db: Queryable, relativeId: string): Promise<boolean> {
  const { rowCount } = await db.query('SELECT 1 FROM relatives WHERE id = $1 AND consent_at IS NOT NULL', [relativeId]);
  return rowCount === 1;
}

/** A push service's answer that will not change by trying again (RFC 8030 §7, RFC 8292 §4.2). */
class RefusedForGood extends Error {}

export class WebPushNotifier implements Channel {
  readonly kind = 'push' as const;
  private readonly guard: EndpointGuard;

  constructor(private readonly deps: WebPushNotifierDeps) {
    this.guard = deps.guard ?? new EndpointGuard();
  }

  async send(n: Notification, opts: NotifyOptions = {}): Promise<ChannelResult> {
    // The response centre as a group has no phone: operators see alarms on the console.
    if (n.recipient.kind === 'response-centre')
      throw new TryggError('TRYGG_ERR_NOTIFICATION_FAILED', 'push: the response centre has no phone');
    const userId = n.recipient.userId;
    if (!userId) throw new TryggError('TRYGG_ERR_NOTIFICATION_FAILED', 'push: the person has no app account');
    // The roster was copied when the alarm opened; a relative's consent is checked as it stands
    // now, so a withdrawal stops every later alert, re-alert and update (and the name and address in them).
    if (n.recipient.kind === 'relative' && !(await consentStands(this.deps.db, n.recipient.id))) {
      throw new TryggError('TRYGG_ERR_NOTIFICATION_FAILED', 'push: the relative no longer has the resident’s consent');
    }
    const subs = await subscriptionsOf(this.deps.db, userId);
    if (subs.length === 0) throw new TryggError('TRYGG_ERR_NOTIFICATION_FAILED', 'push: no push subscription');
    const signal = opts.signal ?? AbortSignal.timeout(this.deps.timeoutMs ?? 10_000);
    // One abort listener per device's request (up to the subscription cap), beside the caller's.
    setMaxListeners(subs.length + 10, signal);
    const results = await Promise.allSettled(subs.map(async (s) => this.post(s, await this.payload(n, s), signal)));
    // Delivered when any device took it: the others' failures do not make it go out again.
    if (results.some((r) => r.status === 'fulfilled' && r.value === 'delivered')) return { ref: null, state: 'sent' };
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    for (const err of failures) this.deps.logger.warn({ err, notification: n.id }, 'push failed');
    const gone = results.length - failures.length;
    const reason = [
      ...(gone > 0 ? [`${gone} subscription(s) gone`] : []),
      ...failures.map((e) => (e instanceof Error ? e.message : String(e))),
    ].join('; ');
    // Tried again only if some device might take it later; otherwise push cannot reach this person.
    if (failures.every((e) => e instanceof RefusedForGood || e instanceof TryggError))
      throw new TryggError('TRYGG_ERR_NOTIFICATION_FAILED', `push: ${reason}`);
    throw new Error(`push: ${reason}`);
  }

  /**
   * The journal backlog alert (raised or cleared) to every administrator's devices: one
   * notification per administrator, replaced by the next state (same tag and topic).
   */
  async notifyJournalBacklog(state: { alerting: boolean; oldestUndeliveredS: number | null }): Promise<void> {
    await this.notifyAdmins('journal-backlog', (locale) => backlogText(locale, state.alerting, state.oldestUndeliveredS));
  }

  /**
   * The self-test's system alarm (the chain broke, or works again) to every administrator's
   * devices: one notification per administrator, replaced by the next state (same tag).
   */
  async notifyChain(state: { failing: boolean; ingresses: readonly string[] }): Promise<void> {
    await this.notifyAdmins('chain', (locale) => chainText(locale, state.failing, state.ingresses));
  }

  /** A system message (no actions) to every device of every administrator, in each one's language. */
  private async notifyAdmins(topic: string, text: (locale: string) => { title: string; body: string }): Promise<void> {
    const { rows } = await this.deps.db.query<{ id: string }>(`SELECT id FROM users WHERE 'admin' = ANY(roles)`);
    const seq = Math.floor(Date.now() / 1000);
    await Promise.allSettled(
      rows.map(async ({ id }) => {
        for (const s of await subscriptionsOf(this.deps.db, id)) {
          const { title, body } = text(s.locale);
          const payload: PushPayload = {
            notificationId: `${topic}:${seq}`,
            alarmId: topic,
            kind: 'system',
            seq,
            title,
            body,
            actions: [],
            actionToken: null,
            done: { accept: '', decline: '', failed: '' },
          };
          const signal = AbortSignal.timeout(this.deps.timeoutMs ?? 10_000);
          await this.post(s, payload, signal).catch((err: unknown) =>
            this.deps.logger.warn({ err, userId: id, topic }, 'system push failed'),
          );
        }
      }),
    );
  }

  /** The decrypted body for one device, in its person's language. */
  async payload(n: Notification, s: Pick<StoredSubscription, 'locale'>): Promise<PushPayload> {
    const text = pushText(s.locale, n.kind, n.summary);
    const asks = n.kind === 'alert';
    const actions: PushAction[] = asks ? ['accept', 'decline'] : [];
    // Every message to a person with an account carries a token: the worker's receipts need it
    // (delivered, seen); only an alert's allows an answer.
    const actionToken = n.recipient.userId
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

  /**
   * One device: `delivered`, or `gone` (404 / 410: removed). Throws `TRYGG_ERR_PUSH_ENDPOINT_REFUSED`
   * or RefusedForGood when trying again cannot help, any other error when it might.
   */
  private async post(s: StoredSubscription, payload: PushPayload, signal: AbortSignal): Promise<'delivered' | 'gone'> {
    // A subscription stored before these rules, or a literal address: refused before any request.
    const url = this.guard.checkForSend(s.endpoint);
    const req = this.prepare(s.endpoint, { p256dh: s.p256dh, auth: s.auth }, payload);
    const status = await postPush(url, req.headers, req.body, { lookup: this.guard.lookupFor(url), signal }).catch(
      (err: unknown) => {
        this.deps.observe?.('failed', err instanceof Error ? err.message : String(err));
        throw err;
      },
    );
    if (status === 201 || status === 202 || status === 404 || status === 410) this.deps.observe?.('ok');
    else if (status >= 500 || [408, 425, 429].includes(status)) this.deps.observe?.('failed', `answered ${status}`);
    if (status === 201 || status === 202) return 'delivered';
    if (status === 404 || status === 410) {
      // RFC 8030 §7.3: the subscription expired or was unsubscribed; it will never work again.
      await dropSubscription(this.deps.db, s.id);
      this.deps.logger.info({ userId: s.userId, device: s.device, status }, 'push subscription gone; removed');
      return 'gone';
    }
    // 400 malformed, 401 / 403 VAPID refused (a key the subscription was not made for), 413 too
    // large: the same request will be refused again. 408, 425, 429 and 5xx may pass later.
    if (status >= 400 && status < 500 && ![408, 425, 429].includes(status))
      throw new RefusedForGood(`push service refused with ${status}`);
    throw new Error(`push service answered ${status}`);
  }
}
