/**
 * Ports: what the alarm core needs from the world, implemented by other packages and wired by
 * the server. The core imports nothing of ours; others plug in here.
 */
import type { AlarmSubject } from './contracts/alarm.js';
import type { Chain, Roster } from './contracts/escalation.js';
import type { DeviceEventType } from './contracts/vocabulary.js';
import type { Notification } from './engine/draft.js';
import type { LiveUpdate } from './contracts/live.js';
import type { DeviceFeedback } from './contracts/topics.js';

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
}

/** What the deliverer tells a channel about one attempt. */
export interface NotifyOptions {
  /** Aborted when the attempt times out or the engine stops: stop sending; the outbox decides what next. */
  signal?: AbortSignal;
}

/**
 * Delivers a notification to its person (web push). Called by the deliverer after commit, once per
 * attempt; only a crashed or stalled deliverer's lapsed lease makes a second attempt of something
 * already delivered, and receivers show one message per notification id. Resolves when
 * delivered; rejects to be tried again later, or with `TRYGG_ERR_NOTIFICATION_FAILED` when this
 * channel can never reach the person (the notification is then `failed` with the reason).
 */
export interface Notifier {
  notify(n: Notification, opts?: NotifyOptions): Promise<void> | void;
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
