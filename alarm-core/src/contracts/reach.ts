/**
 * Reaching a person: the channels a notification can travel (web push, SMS, a phone call), the
 * facts recorded about each attempt, and the SMS gateway's port. One notification (`draft.ts`)
 * is walked through its person's channels in order by the deliverer: each channel sends, the
 * delivery receipt (or its absence by the step's receipt timeout) decides whether the next
 * channel is tried, and a person no channel reached is reported back to the engine as
 * unreachable, so the chain moves on at once instead of waiting on nobody.
 *
 * This file is the contract between the alarm core (deliverer, engine), the channels (push in
 * dashboard/src/push, SMS over SMPP in gateway/src/smpp, calls in the voice work) and the
 * screens that show the facts (operator card, timeline).
 */
import Type, { type Static } from 'typebox';

/** The ways a person can be reached; `console` is the response centre's live screen. */
export const CHANNEL_KINDS = ['push', 'sms', 'call', 'console'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];
export const ChannelKindSchema = Type.Enum(CHANNEL_KINDS);

/**
 * What became of one notification on one channel, in the order it can happen:
 * - `sent`: handed over (push service accepted it, SMS gateway accepted the submit, call dialled);
 * - `delivered`: it reached the person's device (service worker confirmed, SMPP delivery receipt,
 *   call answered by a phone);
 * - `seen`: the app or the SMS link was opened;
 * - `answered`: the person accepted or declined through this channel;
 * - `failed`: this channel cannot reach them now, with the reason (410 gone subscription, SMPP
 *   error status, no receipt within the step's receipt timeout, no answer).
 */
export const DELIVERY_STATES = ['sent', 'delivered', 'seen', 'answered', 'failed'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/** One fact about one notification on one channel (kept in `notification_deliveries`). */
export const DeliveryFact = Type.Object({
  notificationId: Type.String(),
  alarmId: Type.String(),
  recipientId: Type.String(),
  channel: ChannelKindSchema,
  state: Type.Enum(DELIVERY_STATES),
  at: Type.String({ format: 'date-time' }),
  /** Why it failed, or what answered ("accept", "decline"); never personal data. */
  reason: Type.Union([Type.String({ maxLength: 500 }), Type.Null()]),
});
export type DeliveryFact = Static<typeof DeliveryFact>;

/** Why a person could not be alerted at all (recorded on the alert and shown to the operator). */
export const UNREACHABLE_REASONS = [
  /** No channel on record: no app subscription, no phone number. */
  'no-channel',
  /** The relative's consent is missing or withdrawn. */
  'no-consent',
  /** Every channel was tried and none delivered (each channel's reason is in the facts). */
  'all-channels-failed',
] as const;
export type UnreachableReason = (typeof UNREACHABLE_REASONS)[number];

/** A text message to submit to the SMS gateway. */
export interface SmsMessage {
  /** E.164 ("+4791234567"). */
  to: string;
  text: string;
  /** Our reference (the notification id, or a confirmation's id), echoed in receipts' logs. */
  ref: string;
}

/** What the SMS gateway tells us after a submit (SMPP deliver_sm), or a person's reply (MO). */
export type SmsEvent =
  | {
      type: 'receipt';
      /** The gateway's message id, as returned by `submit`. */
      messageId: string;
      /** `delivered` (DELIVRD); `failed` for UNDELIV, EXPIRED, REJECTD, DELETED, UNKNOWN. */
      state: 'delivered' | 'failed';
      /** The receipt's stat and err fields, e.g. "UNDELIV err:001". */
      detail: string;
      at: string;
    }
  | {
      type: 'reply';
      /** E.164 of the person who replied. */
      from: string;
      /** Our number or short code they replied to. */
      to: string;
      text: string;
      at: string;
    };

/**
 * The SMS gateway (SMPP 3.4 in production, gateway/src/smpp). `submit` resolves with the
 * gateway's message id once the gateway accepted the message (submit_sm_resp ESME_ROK); it
 * rejects with `TryggError('TRYGG_ERR_NOTIFICATION_FAILED')` when the gateway refuses it for good
 * (invalid destination, message too long) and with any other error when trying again may help
 * (not bound, throttled, timed out). Receipts and replies arrive through `onEvent`.
 */
export interface SmsTransport {
  submit(msg: SmsMessage, opts?: { signal?: AbortSignal }): Promise<{ messageId: string }>;
  /** Registers the listener for receipts and replies; returns a function that removes it. */
  onEvent(listener: (e: SmsEvent) => void): () => void;
  /** True while bound to the gateway (for /readyz). */
  readonly ready: boolean;
}
