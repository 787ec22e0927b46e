/** What the broker hooks share: the stores they write to, limits, metrics, counters and the logger. */
import type { ErrorCode, Inbox, Logger } from '@trygg/alarm-core';
import type { DeviceAuthenticator, DeviceCheck } from '@trygg/devices';
import type { CredentialQueue } from './credential-queue.js';
import type { AuthFailures, TokenBuckets } from './limits.js';
import type { GatewayMetrics } from './metrics.js';
import type { Refusals } from './mqtt5-bridge.js';
import type { TelemetryWriter } from './telemetry.js';

export interface GatewayContext {
  devices: Pick<DeviceAuthenticator, 'check' | 'knows'>;
  inbox: Pick<Inbox, 'accept'>;
  telemetry: Pick<TelemetryWriter, 'write'>;
  logger: Logger;
  metrics: GatewayMetrics | null;
  /** Messages per device (events and telemetry). */
  rate: TokenBuckets;
  /** Refusals in a row above which a flooding device is disconnected. */
  floodDisconnectAfter: number;
  /** Failed CONNECTs per device id and per source address. */
  authFailures: AuthFailures;
  /** Where slow credential checks wait their turn. */
  credentials: CredentialQueue;
  /** How long a CONNECT refused by a limit waits for its CONNACK. */
  refusalDelayMs: number;
  /** Runs connection churn (finishing a CONNECT) in the pacer's next slice. */
  later(task: () => void): void;
  /** Largest difference between a device's `ts` and Trygg's clock, seconds. */
  maxClockSkewS: number;
  /** Counts an outcome (an error code or `events.stored` …) for metrics. */
  count(what: string): void;
  /** A payload that can never be stored: counted, logged, answered on the feedback topic. */
  reject(deviceId: string, code: ErrorCode, detail: string, eventId?: string): void;
  /** The store failed: log, and close the connection without PUBACK so the device resends. */
  storeFailed(deviceId: string, err: unknown, done: (err?: Error | null) => void): void;
  /** Where a hook leaves the MQTT 5 reason code of a refusal (a no-op for 3.1.1 devices). */
  refusals(client: { conn?: unknown } | null): Refusals;
  /** A device passed CONNECT with this credential and settings. */
  connected(client: object, deviceId: string, check: DeviceCheck): void;
}
