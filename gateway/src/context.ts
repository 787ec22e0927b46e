/** What the broker hooks share: the stores they write to, counters and the logger. */
import type { ErrorCode, Inbox, Logger } from '@trygg/alarm-core';
import type { DeviceAuthenticator } from '@trygg/devices';
import type { TelemetryWriter } from './telemetry.js';

export interface GatewayContext {
  devices: Pick<DeviceAuthenticator, 'authenticate'>;
  inbox: Pick<Inbox, 'accept'>;
  telemetry: Pick<TelemetryWriter, 'write'>;
  logger: Logger;
  /** Counts an outcome (an error code or `events.stored` …) for metrics. */
  count(what: string): void;
  /** A payload that can never be stored: counted, logged, answered on the feedback topic. */
  reject(deviceId: string, code: ErrorCode, detail: string, eventId?: string): void;
  /** The store failed: log, and close the connection without PUBACK so the device resends. */
  storeFailed(deviceId: string, err: unknown, done: (err?: Error | null) => void): void;
}
