/**
 * Ports: what the alarm core needs from the world, implemented by other packages and wired by
 * the server. The core imports nothing of ours; others plug in here.
 */
import type { AlarmSubject } from './contracts/alarm.js';
import type { Chain, Roster } from './contracts/escalation.js';
import type { DeviceEventType } from './contracts/vocabulary.js';
import type { Notification } from './engine/draft.js';
import type { LiveUpdate } from './contracts/live.js';
import type { TestProbe } from './contracts/chain.js';
import type { DeviceFeedback } from './contracts/topics.js';
import type { ChannelKind, DeliveryState } from './contracts/reach.js';
import type { NamedDeliveryFact } from './contracts/deliveries.js';

/** What a new alarm from a device gets copied onto it: where, who, and which chain. */
export interface AlarmContext {
  subject: AlarmSubject;
  roster: Roster;
  chain: Chain;
}

/** Who and where a device belongs to, and who must hear about its alarms (devices package). */
export interface Directory {
  /** The context for a new alarm of `type` from this device; null for an unknown device. */
  contextFor(deviceId: string, type: DeviceEventType): Promise<AlarmContext | null>;
  /** Optional: begin the look-up now, because an alarm of `type` from this device is being stored. */
  prefetch?(deviceId: string, type: DeviceEventType): void;
}

/** Live updates to connected screens (dashboard package, socket.io). */
export interface LiveSink {
  publish(updates: readonly LiveUpdate[]): void;
  /** A device's test event was applied (after commit): the response centre's consoles hear of it. */
  probe?(p: TestProbe): void;
  /** Optional: a delivery fact recorded (sent, delivered, seen, answered, failed), to operators. */
  publishDelivery?(fact: NamedDeliveryFact): void;
}

/** What the deliverer tells a channel about one attempt. */
export interface NotifyOptions {
  /** Aborted when the attempt times out or the engine stops: stop sending; the outbox decides what next. */
  signal?: AbortSignal;
}

/** Messages back to a device ("received", "help is coming"): the gateway. */
export interface DeviceFeedbackSink {
  send(deviceId: string, feedback: DeviceFeedback): void;
}

/** The minimal logger the core writes to (pino satisfies it). */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

/** What a channel made of one notification: handed over, or already on the person's device. */
export interface ChannelResult {
  /** The channel's own reference (the SMS gateway's message id, a call id); null when it has none. */
  ref: string | null;
  /**
   * `sent`: handed over; a receipt will follow through `DeliveryReports` (or the step's receipt
   * timeout passes and the next channel is tried). `delivered`: it is on the person's device already.
   */
  state: 'sent' | 'delivered';
}

/**
 * One way of reaching a person (web push, SMS, a phone call): the deliverer walks a notification
 * through its recipient's channels (`Recipient.reach`) in order. `send` rejects with
 * `TRYGG_ERR_NOTIFICATION_FAILED` when this channel cannot reach the person (no subscription left,
 * no number, refused for good): the next channel is tried at once; any other rejection is tried
 * again on this channel (with backoff) while the step's receipt timeout allows.
 */
export interface Channel {
  readonly kind: ChannelKind;
  send(n: Notification, opts?: NotifyOptions): Promise<ChannelResult>;
}

/**
 * Where channels report what happened after `send` (delivery receipts, a link opened, an answer
 * by SMS). Recorded in `notification_deliveries`, shown on the operator's card and timeline; a
 * `failed` or missing receipt moves the notification to its next channel.
 */
export interface DeliveryReports {
  report(fact: {
    notificationId: string;
    channel: ChannelKind;
    state: Exclude<DeliveryState, 'sent'>;
    reason?: string | null;
    at?: Date;
  }): Promise<void>;
}
