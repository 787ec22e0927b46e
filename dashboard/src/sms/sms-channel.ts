/**
 * The SMS channel (`Channel`, kind 'sms'): a notification becomes a text to the person's phone
 * through the SMS gateway (`SmsTransport`, SMPP in production), in their language. The number
 * is looked up at send time (a relative's in the registry, with the resident's consent as it
 * stands now; anyone else's on their account) and written in E.164. Each text handed over is
 * kept (sms-store.ts) so that the gateway's delivery receipt is reported against its
 * notification (`DeliveryReports`), and so that a reply finds the alert it answers.
 *
 * A reply (reply.ts) accepts or declines through the engine's command path as the person who
 * was alerted, exactly like the app's buttons: the same first-claim-wins rules, one command id
 * per notification and answer, so a repeated reply acts once (and a reply the gateway delivers
 * twice is taken once). A relative without an account acts as `relative/<id>` (actingId). Then
 * `answered` is reported and the answer confirmed by SMS. A reply that is no answer gets the help
 * text; a reply from a number that was not alerted is logged and nothing is sent.
 */
import { createHash } from 'node:crypto';
import {
  TryggError,
  actingId,
  getAlarm,
  type Actor,
  type Alarm,
  type AlarmCommand,
  type Channel,
  type ChannelResult,
  type DeliveryReports,
  type Logger,
  type Notification,
  type NotifyOptions,
  type Queryable,
  type Recipient,
  type SmsEvent,
  type SmsTransport,
} from '@trygg/alarm-core';
import { parseReply, shortCode, type Answer } from './reply.js';
import { E164, toE164 } from './phone.js';
import { alertText, replyText, updateText, type ReplyAnswer } from './sms-text.js';
import {
  alertsTo,
  byMessageId,
  contactOf,
  recordSubmitted,
  releaseReply,
  replyOutcome,
  submittedFor,
  takeReply,
  type SmsContact,
  type SmsRecipient,
  type SubmittedSms,
} from './sms-store.js';

/** How the channel gives a command to an alarm: the engine (`AlarmEngine.command`). */
export interface AlarmCommands {
  command(alarmId: string, command: AlarmCommand, actor: Actor): Promise<{ alarm: Alarm }>;
}

export interface SmsChannelDeps {
  db: Queryable;
  transport: SmsTransport;
  /** The engine, looked up when a reply comes (it may start after the channel). */
  commands: () => AlarmCommands | null;
  /** Where receipts and answers go; null until the delivery log runs (then facts are only logged). */
  reports: () => DeliveryReports | null;
  logger: Logger;
  /** The language of someone with no account (a relative reached only by SMS): nb, sv or en. */
  defaultLocale: string;
  /** Where a number without a country code is (ISO 3166 alpha-2: NO, SE …). */
  region: string;
  /** A single-use, short-lived link to the person's view of the alarm, put in the alert when given. */
  linkFor?: (recipient: Recipient, n: Notification) => Promise<string | null>;
}

const fail = (reason: string) => new TryggError('TRYGG_ERR_NOTIFICATION_FAILED', `sms: ${reason}`);

/** A phone number in a log line: country code and the last two digits. */
export const maskPhone = (e164: string): string => `${e164.slice(0, 3)}…${e164.slice(-2)}`;

const toRecipient = (r: Recipient): SmsRecipient => ({ id: r.id, kind: r.kind, userId: r.userId });

/** The role an account acts in (as server/src/actor.ts reads a principal's roles). */
function roleOf(roles: readonly string[]): string {
  return ['operator', 'staff', 'relative'].find((r) => roles.includes(r)) ?? 'unknown';
}

export class SmsChannel implements Channel {
  readonly kind = 'sms' as const;
  private unsubscribe: (() => void) | null = null;
  /** Replies in hand, per phone number (one at a time each, in arrival order), and receipts. */
  private readonly queues = new Map<string, Promise<void>>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly deps: SmsChannelDeps) {}

  /** Starts taking receipts and replies from the gateway. */
  start(): void {
    this.unsubscribe ??= this.deps.transport.onEvent((e) => this.take(e));
  }

  /** Stops taking them and waits for the ones in hand. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    await Promise.allSettled([...this.inFlight]);
  }

  async send(n: Notification, opts: NotifyOptions = {}): Promise<ChannelResult> {
    const r = n.recipient;
    if (r.kind === 'response-centre') throw fail('the response centre is reached on the console');
    const contact = await contactOf(this.deps.db, toRecipient(r));
    if (!contact) throw fail('the person is no longer in the registry');
    // The roster was copied when the alarm opened; consent is as it stands now (push-text.ts does the same).
    if (!contact.consent) throw fail('the relative no longer has the resident’s consent');
    if (!contact.phone) throw fail('no phone number');
    const number = toE164(contact.phone, this.deps.region);
    if (!number.ok) throw fail(number.reason);
    // A second attempt (a deliverer's lapsed lease) does not send the same text twice.
    const before = await submittedFor(this.deps.db, n.id);
    if (before) return { ref: before.messageId, state: 'sent' };

    const locale = contact.locale ?? this.deps.defaultLocale;
    const code = shortCode(n.alarmId);
    const text =
      n.kind === 'alert' ? alertText(locale, n.summary, code, await this.link(n)) : updateText(locale, n.kind, n.summary);
    const { messageId } = await this.submit({ to: number.e164, text, ref: n.id }, opts.signal);
    await recordSubmitted(this.deps.db, {
      messageId,
      notificationId: n.id,
      alarmId: n.alarmId,
      recipient: toRecipient(r),
      phone: number.e164,
      code: n.kind === 'alert' ? code : null,
      kind: n.kind,
    });
    return { ref: messageId, state: 'sent' };
  }

  private async submit(msg: { to: string; text: string; ref: string }, signal?: AbortSignal): Promise<{ messageId: string }> {
    try {
      return await this.deps.transport.submit(msg, signal ? { signal } : {});
    } catch (err) {
      // Refused for good (invalid destination, too long): this channel cannot reach them.
      if (err instanceof TryggError && err.code === 'TRYGG_ERR_NOTIFICATION_FAILED') throw fail(err.message);
      throw err;
    }
  }

  /** The sign-in link for an alert; an alert goes without one rather than not at all. */
  private async link(n: Notification): Promise<string | null> {
    if (!this.deps.linkFor) return null;
    try {
      return await this.deps.linkFor(n.recipient, n);
    } catch (err) {
      this.deps.logger.warn({ err, notification: n.id }, 'sms: no sign-in link for the alert; sent without');
      return null;
    }
  }

  /** An event from the gateway, handled in order with the others from the same number. */
  private take(e: SmsEvent): void {
    const key = e.type === 'reply' ? e.from : `receipt:${e.messageId}`;
    const run = (this.queues.get(key) ?? Promise.resolve())
      .then(() => (e.type === 'reply' ? this.onReply(e) : this.onReceipt(e)))
      .catch((err: unknown) =>
        this.deps.logger.error({ err, code: 'TRYGG_ERR_INTERNAL', event: e.type }, 'sms: event not handled'),
      );
    this.queues.set(key, run);
    this.inFlight.add(run);
    void run.finally(() => {
      this.inFlight.delete(run);
      if (this.queues.get(key) === run) this.queues.delete(key);
    });
  }

  private async report(fact: Parameters<DeliveryReports['report']>[0]): Promise<void> {
    const reports = this.deps.reports();
    if (!reports) {
      this.deps.logger.info({ ...fact, at: fact.at?.toISOString() }, 'sms: delivery fact (no delivery log running)');
      return;
    }
    try {
      await reports.report(fact);
    } catch (err) {
      this.deps.logger.warn({ err, notification: fact.notificationId, state: fact.state }, 'sms: delivery fact not recorded');
    }
  }

  private async onReceipt(e: Extract<SmsEvent, { type: 'receipt' }>): Promise<void> {
    const sms = await byMessageId(this.deps.db, e.messageId);
    if (!sms) {
      this.deps.logger.warn({ messageId: e.messageId, detail: e.detail }, 'sms: receipt for a message Trygg did not send');
      return;
    }
    if (!sms.notificationId) {
      this.deps.logger.debug({ messageId: e.messageId, state: e.state, detail: e.detail }, 'sms: receipt for a reply');
      return;
    }
    await this.report({
      notificationId: sms.notificationId,
      channel: 'sms',
      state: e.state,
      reason: e.state === 'failed' ? e.detail : null,
      at: new Date(e.at),
    });
  }

  private async onReply(e: Extract<SmsEvent, { type: 'reply' }>): Promise<void> {
    const log = this.deps.logger;
    const from = e.from;
    if (!E164.test(from)) {
      log.warn({ code: 'TRYGG_ERR_SMS_SENDER_UNKNOWN', to: e.to }, 'sms: reply from a number that is not E.164; ignored');
      return;
    }
    const who = maskPhone(from);
    const alerts = await alertsTo(this.deps.db, from);
    const latest = alerts[0];
    // A gateway may hand one message on twice, stamped anew (a lost deliver_sm_resp): the same
    // words from the same number about the same newest alert are taken once (they say nothing new).
    const said = e.text.normalize('NFKC').trim().replace(/\s+/g, ' ').toUpperCase();
    const key = createHash('sha256')
      .update(JSON.stringify([from, said, latest?.notificationId ?? e.at]))
      .digest('base64url');
    if (!(await takeReply(this.deps.db, key, from))) {
      log.info({ from: who }, 'sms: the same reply again; taken once');
      return;
    }
    if (!latest?.recipient) {
      log.warn(
        { code: 'TRYGG_ERR_SMS_SENDER_UNKNOWN', from: who },
        'sms: reply from a number that was not alerted; nothing done',
      );
      await replyOutcome(this.deps.db, key, 'not-alerted');
      return;
    }
    const parsed = parseReply(e.text);
    const code = latest.code ?? '';
    if (!parsed) {
      log.warn(
        { code: 'TRYGG_ERR_SMS_REPLY_INVALID', from: who, length: e.text.length },
        'sms: reply is not an answer; help sent',
      );
      await this.answer(latest, key, { kind: 'help', code }, 'not-an-answer');
      return;
    }
    const candidates = parsed.code ? alerts.filter((a) => a.code === parsed.code) : alerts;
    if (candidates.length === 0) {
      log.warn(
        { code: 'TRYGG_ERR_SMS_REPLY_INVALID', from: who, given: parsed.code },
        'sms: reply names an unknown code; help sent',
      );
      await this.answer(latest, key, { kind: 'help', code, unknownCode: parsed.code ?? '' }, 'unknown-code');
      return;
    }
    const target = await this.pick(candidates, parsed.answer);
    await this.apply(target.sms, target.alarm, parsed.answer, key);
  }

  /** The alert the reply answers: the newest one still waiting for this person, else the newest. */
  private async pick(candidates: SubmittedSms[], answer: Answer): Promise<{ sms: SubmittedSms; alarm: Alarm | null }> {
    let first: { sms: SubmittedSms; alarm: Alarm | null } | null = null;
    for (const sms of candidates) {
      const alarm = sms.alarmId ? await getAlarm(this.deps.db, sms.alarmId) : null;
      first ??= { sms, alarm };
      const r = sms.recipient;
      const alert = alarm?.escalation.alerts.find((a) => a.recipient.id === r?.id && a.recipient.kind === r.kind);
      const open = alert?.state === 'pending' || (answer === 'accept' && alert?.state === 'declined');
      if (alarm?.state === 'open' && open) return { sms, alarm };
    }
    // candidates is never empty
    return first ?? { sms: candidates[0] as SubmittedSms, alarm: null };
  }

  /** Gives the answer to the engine as the person alerted, reports it and confirms it by SMS. */
  private async apply(sms: SubmittedSms, alarm: Alarm | null, answer: Answer, key: string): Promise<void> {
    const log = this.deps.logger;
    const recipient = sms.recipient;
    if (!recipient || !sms.alarmId || !sms.notificationId) return;
    const contact = await contactOf(this.deps.db, recipient);
    if (!contact?.consent) {
      // Consent withdrawn (or the relative removed) since the alert: nothing about the alarm goes out.
      log.warn(
        { alarmId: sms.alarmId, recipient: recipient.id },
        'sms: reply from a relative no longer named by the resident; nothing done',
      );
      await replyOutcome(this.deps.db, key, 'no-consent');
      return;
    }
    if (!alarm) {
      log.warn({ alarmId: sms.alarmId }, 'sms: reply to an alarm that is gone; nothing done');
      await this.answer(sms, key, { kind: 'not-asked' }, 'alarm-gone', contact);
      return;
    }
    const actor = this.actorOf(recipient, contact);
    const engine = this.deps.commands();
    if (!actor || !engine) {
      log.warn(
        { alarmId: sms.alarmId, code: 'TRYGG_ERR_STORE_UNAVAILABLE' },
        'sms: reply not applied now; the person is asked to try again',
      );
      await releaseReply(this.deps.db, key);
      await this.answer(sms, null, { kind: 'retry' }, 'retry', contact);
      return;
    }
    // One command id per notification and answer, as the push buttons: a repeated reply acts once.
    const id = `sms-${createHash('sha256').update(`${sms.notificationId}|${answer}`).digest('base64url').slice(0, 40)}`;
    try {
      await engine.command(sms.alarmId, { id, type: answer }, actor);
    } catch (err) {
      const outcome = await this.refusal(err, sms.alarmId, actor, answer);
      if (outcome) {
        log.info(
          { alarmId: sms.alarmId, recipient: recipient.id, answer, outcome: outcome.kind },
          'sms: reply answered, not applied',
        );
        await this.answer(sms, key, outcome, outcome.kind, contact);
        return;
      }
      log.warn({ err, alarmId: sms.alarmId }, 'sms: reply not applied now; the person is asked to try again');
      await releaseReply(this.deps.db, key);
      await this.answer(sms, null, { kind: 'retry' }, 'retry', contact);
      return;
    }
    log.info({ alarmId: sms.alarmId, recipient: recipient.id, answer }, 'sms: reply applied');
    await this.report({ notificationId: sms.notificationId, channel: 'sms', state: 'answered', reason: answer });
    await this.answer(sms, key, { kind: answer === 'accept' ? 'accepted' : 'declined' }, answer, contact);
  }

  /** What to tell the person when the engine refused the answer; null when trying again may help. */
  private async refusal(err: unknown, alarmId: string, actor: Actor, answer: Answer): Promise<ReplyAnswer | null> {
    if (!(err instanceof TryggError)) return null;
    switch (err.code) {
      case 'TRYGG_ERR_ALARM_CLAIMED': {
        const now = await getAlarm(this.deps.db, alarmId);
        const by = now?.claimedBy;
        if (!by) return { kind: 'not-asked' };
        // Their own "yes" again: still theirs.
        if (by.userId === actor.userId && answer === 'accept') return { kind: 'accepted' };
        return { kind: 'taken-by', by: by.name };
      }
      case 'TRYGG_ERR_ALARM_CLOSED':
        return { kind: 'already-closed' };
      case 'TRYGG_ERR_NOT_ALERTED':
      case 'TRYGG_ERR_ALARM_NOT_FOUND':
        return { kind: 'not-asked' };
      default:
        return null;
    }
  }

  /** Who acts: the account that answers for the recipient, or the relative without one. */
  private actorOf(r: SmsRecipient, c: SmsContact): Actor | null {
    const userId = actingId(r);
    if (!userId) return null;
    return { userId, name: c.name, role: r.userId ? roleOf(c.roles) : 'relative' };
  }

  /** An SMS back to the person who replied, in their language; `key` records what became of the reply. */
  private async answer(
    sms: SubmittedSms,
    key: string | null,
    a: ReplyAnswer,
    outcome: string,
    known?: SmsContact,
  ): Promise<void> {
    if (key) await replyOutcome(this.deps.db, key, outcome);
    const contact = known ?? (sms.recipient ? await contactOf(this.deps.db, sms.recipient) : null);
    if (sms.recipient?.kind === 'relative' && !contact?.consent) return;
    const locale = contact?.locale ?? this.deps.defaultLocale;
    const ref = `reply:${key ?? createHash('sha256').update(`${sms.phone}|${Date.now()}`).digest('base64url')}`.slice(0, 64);
    try {
      const { messageId } = await this.submit({ to: sms.phone, text: replyText(locale, a), ref });
      await recordSubmitted(this.deps.db, { ...sms, messageId, notificationId: null, code: null, kind: 'reply' });
    } catch (err) {
      this.deps.logger.warn({ err, alarmId: sms.alarmId, outcome }, 'sms: answer to a reply not sent');
    }
  }
}
