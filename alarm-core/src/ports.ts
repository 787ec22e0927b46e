/**
 * Ports: what the alarm core needs from the world, implemented by other packages and wired by
 * the server. The core imports nothing of ours; others plug in here.
 */
import type { AlarmSubject } from './contracts/alarm.js';
import type { LiveUpdate } from './contracts/live.js';
import type { DeviceFeedback } from './contracts/topics.js';

/** Who and where a device belongs to (devices package). */
export interface Directory {
  /** The subject snapshot copied onto an alarm from this device; null for an unknown device. */
  subjectOf(deviceId: string): Promise<AlarmSubject | null>;
}

/** Live updates to connected screens (dashboard package, socket.io). */
export interface LiveSink {
  publish(updates: readonly LiveUpdate[]): void;
}

/** Alerts to people (a logged notifier until push lands). */
export interface Notifier {
  notify(n: { alarmId: string; target: string; reason: string }): void;
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
