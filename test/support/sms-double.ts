/**
 * A stand-in for the SMS gateway (a border we don't own) until the tests use the SMPP simulator:
 * an SmsTransport that records what it is asked to send and refuses, as a gateway would, what it
 * could not deliver — a destination that is not E.164, an empty text, a text longer than six
 * concatenated parts, no reference. Tests wait for a message with `next`.
 */
import type { SmsEvent, SmsMessage, SmsTransport } from '@trygg/alarm-core';
import { TryggError } from '@trygg/alarm-core';

/** Characters in six concatenated UCS-2 parts (6 × 67): what a long Norwegian text may take. */
const MAX_TEXT = 6 * 67;

export class RecordingSms implements SmsTransport {
  readonly sent: (SmsMessage & { messageId: string })[] = [];
  readonly ready = true;
  private n = 0;
  private readonly waiters: { pick: (m: SmsMessage) => boolean; resolve: (m: SmsMessage) => void }[] = [];

  async submit(msg: SmsMessage): Promise<{ messageId: string }> {
    if (!/^\+[1-9][0-9]{6,14}$/.test(msg.to)) throw new TryggError('TRYGG_ERR_NOTIFICATION_FAILED', `not E.164: ${msg.to}`);
    if (msg.text.trim() === '' || [...msg.text].length > MAX_TEXT)
      throw new TryggError('TRYGG_ERR_NOTIFICATION_FAILED', `text of ${[...msg.text].length} characters`);
    if (!msg.ref) throw new TryggError('TRYGG_ERR_NOTIFICATION_FAILED', 'no reference');
    const messageId = `sms-${++this.n}`;
    this.sent.push({ ...msg, messageId });
    for (const w of this.waiters.splice(0)) {
      if (w.pick(msg)) w.resolve(msg);
      else this.waiters.push(w);
    }
    return { messageId };
  }

  onEvent(_listener: (e: SmsEvent) => void): () => void {
    return () => undefined;
  }

  /** The first message (already sent or still to come) to `to`, after `after` of them; rejects after `ms`. */
  next(to: string, after = 0, ms = 15_000): Promise<SmsMessage> {
    const already = this.sent.filter((m) => m.to === to)[after];
    if (already) return Promise.resolve(already);
    let seen = this.sent.filter((m) => m.to === to).length;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no SMS to ${to} within ${ms} ms`)), ms);
      this.waiters.push({
        pick: (m) => m.to === to && seen++ >= after,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }
}

/** The sign-in link in a message's text. */
export function linkIn(text: string): string {
  const m = /(https?:\/\/\S+#link=[A-Za-z0-9_-]+)/.exec(text);
  if (!m?.[1]) throw new Error(`no sign-in link in: ${text}`);
  return m[1];
}
