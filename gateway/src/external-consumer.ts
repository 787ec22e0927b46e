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
  TOPIC_PREFIX,
  type DeviceFeedback,
  type DeviceFeedbackSink,
  type ErrorCode,
  type Inbox,
  type Logger,
} from '@trygg/alarm-core';
import type { GatewayMetrics } from './metrics.js';
import { Ingress, report, type VerdictReport } from './ingress.js';
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

export class ExternalBrokerConsumer implements DeviceFeedbackSink {
  readonly counters = new Map<string, number>();
  private client: MqttClient | null = null;
  private readonly ingress: Ingress;
  private readonly told: VerdictReport;

  constructor(private readonly opts: ExternalBrokerOptions) {
    this.ingress = new Ingress({ inbox: opts.inbox, telemetry: opts.telemetry, maxClockSkewS: opts.maxClockSkewS });
    this.told = {
      reject: (deviceId, code, detail, eventId) => this.reject(deviceId, code, detail, eventId),
      count: (what) => this.count(what),
      events: opts.metrics?.events ?? null,
      warn: (obj, msg) => opts.logger.warn(obj, msg),
    };
  }

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
      this.handle(packet.topic, payload, packet.qos).then(
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

  /**
   * The answer step of the ingress pipeline (ingress.ts: the same topic, parse, clock and store
   * steps as the embedded broker; the broker keeps the ACL and the budget): resolves when the
   * message may be acknowledged to the broker (stored, or refused for good), rejects when the
   * store is away.
   */
  private async handle(topic: string, payload: Buffer, qos: number): Promise<void> {
    const v = await this.ingress.handle({ topic, payload, qos, client: null });
    report(v, this.told);
    // Everything but the store being away is acknowledged: stored, refused for good, or not ours.
    if (v.kind === 'unavailable') throw v.err;
  }

  /** Not stored: drop the connection without acknowledging; the broker delivers it again. */
  private storeFailed(topic: string, err: unknown): void {
    this.count('TRYGG_ERR_STORE_UNAVAILABLE');
    this.opts.logger.error({ code: 'TRYGG_ERR_STORE_UNAVAILABLE', topic, err }, 'store failed; reconnecting without PUBACK');
    this.client?.stream.destroy();
  }
}
