/**
 * Web push on the wire: what a browser registers, what a push message carries to the service
 * worker, and what the service worker sends back when someone taps Accept or Decline on the
 * notification (with the short-lived action token the message carried, no sign-in needed).
 */
import Type, { type Static } from 'typebox';

/** A browser's PushSubscription (its `toJSON()`), registered per user and device. */
export const PushSubscriptionBody = Type.Object(
  {
    endpoint: Type.String({ minLength: 8, maxLength: 2048 }),
    keys: Type.Object(
      {
        // RFC 8291 §2.1: uncompressed P-256 point (65 octets) and a 16-octet secret, base64url.
        p256dh: Type.String({ minLength: 86, maxLength: 88, pattern: '^[A-Za-z0-9_-]+=*$' }),
        auth: Type.String({ minLength: 22, maxLength: 24, pattern: '^[A-Za-z0-9_-]+=*$' }),
      },
      { additionalProperties: false },
    ),
    expirationTime: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
  },
  { additionalProperties: false },
);
export type PushSubscriptionBody = Static<typeof PushSubscriptionBody>;

export const PUSH_ACTIONS = ['accept', 'decline'] as const;
export type PushAction = (typeof PUSH_ACTIONS)[number];

/** The decrypted body of one push message, as the service worker reads it. */
export const PushPayload = Type.Object({
  /** Stable across redeliveries: the worker shows each once. */
  notificationId: Type.String(),
  /** The alarm; for a system message its topic (`journal-backlog`), also the notification's tag. */
  alarmId: Type.String(),
  /** An alarm's notification kinds, or `system` (e.g. the journal backlog alert to administrators). */
  kind: Type.Enum(['alert', 'inform', 'taken', 'closed', 'check', 'system']),
  /** Order of this alarm's notifications: an older one never replaces a newer one. */
  seq: Type.Integer(),
  title: Type.String(),
  body: Type.String(),
  /** Buttons on the notification (only on an alert that asks the person). */
  actions: Type.Array(Type.Object({ action: Type.Enum(PUSH_ACTIONS), title: Type.String() })),
  /**
   * Signed, short-lived, scoped to this notification, alarm and person; present whenever the
   * person has an account: it answers the buttons (alerts only) and carries the receipts.
   */
  actionToken: Type.Union([Type.String(), Type.Null()]),
  /** What the worker shows after the button was pressed, in the person's language. */
  done: Type.Object({ accept: Type.String(), decline: Type.String(), failed: Type.String() }),
});
export type PushPayload = Static<typeof PushPayload>;

/** The service worker's request when a notification button is pressed. */
export const PushActionRequest = Type.Object({ action: Type.Enum(PUSH_ACTIONS) }, { additionalProperties: false });
export type PushActionRequest = Static<typeof PushActionRequest>;

/**
 * The service worker's receipt for a notification, with the message's action token: `delivered`
 * when the message reached the phone (shown), `seen` when the person opened the app from it.
 */
export const PushReceiptRequest = Type.Object({ state: Type.Enum(['delivered', 'seen']) }, { additionalProperties: false });
export type PushReceiptRequest = Static<typeof PushReceiptRequest>;
