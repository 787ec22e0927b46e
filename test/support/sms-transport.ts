/**
 * An in-process SMS gateway for tests of the SMS channel (the SMPP wire is tested against the
 * SMSC simulator in simulators/src/smsc). Faithful to what a gateway refuses: a destination
 * that is not E.164, an empty text or one longer than `maxParts` messages (GSM 7-bit or UCS-2
 * as the text needs), a missing reference: each is refused for good with
 * `TRYGG_ERR_NOTIFICATION_FAILED`, as the port says. It records what it accepted and lets the
 * test send the delivery receipts and the phones' replies.
 */
import { TryggError, type SmsEvent, type SmsMessage, type SmsTransport } from '@trygg/alarm-core';
import { E164, smsLength, type SmsLength } from '@trygg/dashboard';

export interface Submitted extends SmsMessage {
  messageId: string;
  length: SmsLength;
}

export class TestSmsTransport implements SmsTransport {
  readonly submitted: Submitted[] = [];
  ready = true;
  private readonly listeners = new Set<(e: SmsEvent) => void>();
  private seq = 0;
  /** Errors the next submits throw, in order (a throttled gateway, a refusal). */
  readonly failures: Error[] = [];

  constructor(private readonly maxParts = 3) {}

  submit(msg: SmsMessage, opts: { signal?: AbortSignal } = {}): Promise<{ messageId: string }> {
    if (opts.signal?.aborted) return Promise.reject(new Error('aborted'));
    if (!this.ready) return Promise.reject(new Error('sms: not bound to the gateway'));
    const failure = this.failures.shift();
    if (failure) return Promise.reject(failure);
    if (!E164.test(msg.to))
      return Promise.reject(new TryggError('TRYGG_ERR_NOTIFICATION_FAILED', `invalid destination ${msg.to}`));
    if (!msg.ref) return Promise.reject(new Error('a message needs its reference'));
    const length = smsLength(msg.text);
    if (msg.text.length === 0 || length.parts > this.maxParts) {
      return Promise.reject(new TryggError('TRYGG_ERR_NOTIFICATION_FAILED', `message length ${length.units} ${length.encoding}`));
    }
    this.seq += 1;
    const messageId = `m${this.seq.toString(16).padStart(6, '0')}`;
    this.submitted.push({ ...msg, messageId, length });
    return Promise.resolve({ messageId });
  }

  /** Listeners registered now (a stopped channel has removed its own). */
  get listening(): number {
    return this.listeners.size;
  }

  onEvent(listener: (e: SmsEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The texts sent to a number, oldest first. */
  to(phone: string): Submitted[] {
    return this.submitted.filter((m) => m.to === phone);
  }

  /** The gateway's delivery receipt for a message. */
  receipt(
    messageId: string,
    state: 'delivered' | 'failed',
    detail = state === 'delivered' ? 'DELIVRD err:000' : 'UNDELIV err:001',
  ): void {
    this.emit({ type: 'receipt', messageId, state, detail, at: new Date().toISOString() });
  }

  /** A phone's reply (mobile-originated); `at` as the gateway stamped it (the same for a redelivery). */
  reply(from: string, text: string, at = new Date().toISOString()): void {
    this.emit({ type: 'reply', from, to: 'Trygg', text, at });
  }

  private emit(e: SmsEvent): void {
    for (const l of this.listeners) l(e);
  }
}
