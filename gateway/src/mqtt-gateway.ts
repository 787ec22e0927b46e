/**
 * The MQTT side of the gateway: an embedded aedes broker on a TCP port, its behaviour given by
 * the hooks in ./hooks. Devices get feedback on `trygg/v1/devices/{id}/feedback`.
 */
import net from 'node:net';
import { Aedes } from 'aedes';
import {
  deviceTopic,
  ERRORS,
  type DeviceFeedback,
  type DeviceFeedbackSink,
  type ErrorCode,
  type Inbox,
  type Logger,
} from '@trygg/alarm-core';
import type { DeviceAuthenticator } from '@trygg/devices';
import type { GatewayContext } from './context.js';
import { authenticate } from './hooks/authenticate.js';
import { authorizePublish } from './hooks/authorize-publish.js';
import { authorizeSubscribe } from './hooks/authorize-subscribe.js';
import type { TelemetryWriter } from './telemetry.js';

export interface MqttGatewayOptions {
  port: number;
  host?: string;
  devices: Pick<DeviceAuthenticator, 'authenticate'>;
  inbox: Pick<Inbox, 'accept'>;
  telemetry: Pick<TelemetryWriter, 'write'>;
  logger: Logger;
}

export class MqttGateway implements DeviceFeedbackSink {
  readonly counters = new Map<string, number>();
  private broker: Aedes | null = null;
  private server: net.Server | null = null;
  private readonly opts: MqttGatewayOptions;

  constructor(opts: MqttGatewayOptions) {
    this.opts = opts;
  }

  /** The bound port (useful with port 0). */
  get port(): number {
    const addr = this.server?.address();
    return typeof addr === 'object' && addr ? addr.port : 0;
  }

  get connectedDevices(): number {
    return this.broker?.connectedClients ?? 0;
  }

  get ready(): boolean {
    return this.server?.listening === true && this.broker?.closed === false;
  }

  async start(): Promise<void> {
    const ctx = this.context();
    const broker = await Aedes.createBroker({
      authenticate: authenticate(ctx),
      authorizePublish: authorizePublish(ctx),
      authorizeSubscribe: authorizeSubscribe(ctx),
    });
    broker.on('clientError', (client, err) => {
      this.opts.logger.debug({ deviceId: client.id, err: err.message }, 'client error');
    });
    broker.on('connectionError', (client, err) => {
      this.opts.logger.debug({ deviceId: client.id, err: err.message }, 'connection error');
    });
    this.broker = broker;
    const server = net.createServer((socket) => broker.handle(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host ?? '0.0.0.0', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.opts.logger.info({ port: this.port }, 'MQTT broker listening');
  }

  async stop(): Promise<void> {
    const server = this.server;
    const broker = this.broker;
    this.server = null;
    this.broker = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    if (broker) await new Promise<void>((resolve) => broker.close(() => resolve()));
  }

  /**
   * Closes a device's connection, if it has one (its credentials were revoked, or it was
   * returned): the next CONNECT is checked against the registry again and refused.
   */
  disconnect(deviceId: string): boolean {
    // aedes keeps connected clients by client id (= device id); the map is not in its types.
    const clients = (this.broker as unknown as { clients?: Record<string, { close(): void } | undefined> } | null)?.clients;
    const client = clients?.[deviceId];
    if (!client) return false;
    client.close();
    this.opts.logger.info({ deviceId }, 'device disconnected by the registry');
    return true;
  }

  /** DeviceFeedbackSink: publishes to the device's feedback topic (QoS 1). */
  send(deviceId: string, feedback: DeviceFeedback): void {
    const broker = this.broker;
    if (!broker) return;
    broker.publish(
      {
        cmd: 'publish',
        topic: deviceTopic(deviceId, 'feedback'),
        payload: Buffer.from(JSON.stringify(feedback)),
        qos: 1,
        retain: false,
        dup: false,
      },
      (err) => {
        if (err) this.opts.logger.warn({ deviceId, err: err.message }, 'feedback publish failed');
      },
    );
  }

  private context(): GatewayContext {
    const { logger } = this.opts;
    const count = (what: string) => this.counters.set(what, (this.counters.get(what) ?? 0) + 1);
    return {
      devices: this.opts.devices,
      inbox: this.opts.inbox,
      telemetry: this.opts.telemetry,
      logger,
      count,
      reject: (deviceId: string, code: ErrorCode, detail: string, eventId?: string) => {
        count(code);
        logger.warn({ code, deviceId, eventId, detail }, 'device payload refused');
        const base = { type: 'error' as const, code, message: `${ERRORS[code].message}: ${detail}` };
        this.send(deviceId, eventId === undefined ? base : { ...base, eventId });
      },
      storeFailed: (deviceId, err, done) => {
        count('TRYGG_ERR_STORE_UNAVAILABLE');
        logger.error({ code: 'TRYGG_ERR_STORE_UNAVAILABLE', deviceId, err }, 'store failed; closing without PUBACK');
        done(new Error('TRYGG_ERR_STORE_UNAVAILABLE'));
      },
    };
  }
}
