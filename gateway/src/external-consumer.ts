/**
 * External broker mode: devices connect to an existing MQTT broker or cluster (Mosquitto, EMQX,
 * HiveMQ …), which authenticates them and enforces the topic ACL. This gateway node consumes the
 * device topics through a shared subscription (`$share/{group}/…`, so several nodes split the
 * load) on a persistent session (clean = false, a fixed client id per node), and acknowledges a
 * message to the broker only after its row is committed (`handleMessage`). If the database
 * is away it closes its connection without acknowledging; the broker keeps the messages for the
 * session and delivers them again when the node reconnects.
 *
 * mqtt.js hands messages to `handleMessage` one at a time (the next waits for the ack), so a
 * node commits one message per round trip; nodes scale out through the share group.
 */
import mqtt, { type MqttClient } from 'mqtt';
import {
  deviceTopic,
  ERRORS,
  isDeviceFault,
  parseDeviceTopic,
  TOPIC_PREFIX,
  type DeviceFeedback,
  type DeviceFeedbackSink,
  type ErrorCode,
  type Inbox,
  type Logger,
} from '@trygg/alarm-core';
import type { GatewayMetrics } from './metrics.js';
import { parseDeviceEvent } from './parse-event.js';
import { parseTelemetry } from './parse-telemetry.js';
import type { TelemetryWriter } from './telemetry.js';

export interface ExternalBrokerOptions {
  url: string;
  /** Fixed per node, so the broker keeps this node's session across restarts. */
  clientId: string;
  /** Shared-subscription group; every node of one installation uses the same. */
  shareGroup: string;
  username?: string | null;
  password?: string | null;
  inbox: Pick<Inbox, 'accept'>;
  telemetry: Pick<TelemetryWriter, 'write'>;
  logger: Logger;
  metrics?: GatewayMetrics | null;
  maxClockSkewS: number;
  /** Reconnect period after a drop, ms. */
  reconnectMs?: number;
}

/** SQLSTATE 23503: the device is not in the registry (foreign key). */
const isUnknownDevice = (err: unknown) => (err as { code?: unknown } | null)?.code === '23503';

export class ExternalBrokerConsumer implements DeviceFeedbackSink {
  readonly counters = new Map<string, number>();
  private client: MqttClient | null = null;

  constructor(private readonly opts: ExternalBrokerOptions) {}

  get ready(): boolean {
    return this.client?.connected === true;
  }

  async start(): Promise<void> {
    const { opts } = this;
    const filters = (['events', 'telemetry'] as const).map((c) => `$share/${opts.shareGroup}/${TOPIC_PREFIX}/+/${c}`);
    const client = mqtt.connect(opts.url, {
      clientId: opts.clientId,
      clean: false, // [MQTT-3.1.2-4] the broker keeps our subscriptions and unacknowledged messages
      protocolVersion: 4,
      reconnectPeriod: opts.reconnectMs ?? 1_000,
      reconnectOnConnackError: true,
      ...(opts.username ? { username: opts.username } : {}),
      ...(opts.password ? { password: opts.password } : {}),
    });
    // mqtt.js sends the PUBACK when `handleMessage` calls back ([MQTT-4.3.2-2]: after the
    // message is ours to keep): so we call back only once the row is committed.
    // (`customHandleAcks` would do the same but mqtt.js honours it for MQTT 5 only.)
    client.handleMessage = (packet, callback) => {
      if (packet.cmd !== 'publish') {
        callback();
        return;
      }
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      this.handle(packet.topic, payload).then(
        () => callback(),
        (err: unknown) => this.storeFailed(packet.topic, err),
      );
    };
    client.on('error', (err) => opts.logger.warn({ err: err.message }, 'external broker error'));
    client.on('connect', (connack) => {
      opts.logger.info({ url: opts.url, sessionPresent: connack.sessionPresent }, 'connected to the external broker');
      // Subscribing again on a kept session is harmless, and needed when the broker lost it.
      client.subscribe(filters, { qos: 1 }, (err) => {
        if (err) opts.logger.error({ err: err.message }, 'external broker subscription failed');
      });
    });
    this.client = client;
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
  }

  async stop(): Promise<void> {
    const c = this.client;
    this.client = null;
    await c?.endAsync();
  }

  /** DeviceFeedbackSink: feedback to the device through the external broker. */
  send(deviceId: string, feedback: DeviceFeedback): void {
    this.client?.publish(deviceTopic(deviceId, 'feedback'), JSON.stringify(feedback), { qos: 1 }, (err) => {
      if (err) this.opts.logger.warn({ deviceId, err: err.message }, 'feedback publish failed');
    });
  }

  private count(what: string): void {
    this.counters.set(what, (this.counters.get(what) ?? 0) + 1);
    if (what.startsWith('TRYGG_ERR_')) this.opts.metrics?.refused.inc({ code: what });
  }

  private reject(deviceId: string, code: ErrorCode, detail: string, eventId?: string): void {
    this.count(code);
    this.opts.logger.warn({ code, deviceId, eventId, detail }, 'device payload refused');
    const base = { type: 'error' as const, code, message: `${ERRORS[code].message}: ${detail}` };
    this.send(deviceId, eventId === undefined ? base : { ...base, eventId });
  }

  /** Stores one message; resolves when it may be acknowledged (stored, or refused for good). */
  private async handle(topic: string, message: Buffer): Promise<void> {
    const target = parseDeviceTopic(topic);
    if (!target) return; // not ours: acknowledge and forget
    const { deviceId } = target;
    const skewS = (ts: string) => Math.abs(Date.parse(ts) - Date.now()) / 1000;
    try {
      if (target.channel === 'telemetry') {
        const parsed = parseTelemetry(message);
        if (!parsed.ok) return this.reject(deviceId, parsed.code, parsed.detail);
        if (skewS(parsed.sample.ts) > this.opts.maxClockSkewS) {
          return this.reject(deviceId, 'TRYGG_ERR_CLOCK_SKEW', `ts ${parsed.sample.ts} is far off`);
        }
        await this.opts.telemetry.write(deviceId, parsed.sample);
        return;
      }
      if (target.channel !== 'events') return;
      const parsed = parseDeviceEvent(message, { now: new Date(), maxSkewS: this.opts.maxClockSkewS });
      if (!parsed.ok) return this.reject(deviceId, parsed.code, parsed.detail, parsed.eventId);
      const { event } = parsed;
      for (const note of parsed.notes) this.reject(deviceId, note.code, note.detail, event.id);
      const result = await this.opts.inbox.accept(deviceId, event).catch((err: unknown) => {
        if (!isDeviceFault(err)) throw err;
        this.reject(deviceId, err.code, err.message, event.id);
        return null;
      });
      if (result === null) return;
      this.count(`events.${result}`);
      this.opts.metrics?.events.inc({ outcome: result });
      if (result === 'reused') {
        this.reject(deviceId, 'TRYGG_ERR_EVENT_ID_REUSED', `id ${event.id} was stored before with other content`, event.id);
      }
    } catch (err) {
      if (!isUnknownDevice(err)) throw err;
      // The broker let in a device the registry does not know: refused for good, not retried.
      this.count('TRYGG_ERR_DEVICE_UNKNOWN');
      this.opts.logger.warn({ code: 'TRYGG_ERR_DEVICE_UNKNOWN', deviceId }, 'message from a device not in the registry');
    }
  }

  /** Not stored: drop the connection without acknowledging; the broker delivers it again. */
  private storeFailed(topic: string, err: unknown): void {
    this.count('TRYGG_ERR_STORE_UNAVAILABLE');
    this.opts.logger.error({ code: 'TRYGG_ERR_STORE_UNAVAILABLE', topic, err }, 'store failed; reconnecting without PUBACK');
    this.client?.stream.destroy();
  }
}
