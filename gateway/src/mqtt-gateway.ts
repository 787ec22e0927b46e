/**
 * The MQTT side of the gateway: an embedded aedes broker on a TCP port (and optionally MQTTS),
 * its behaviour given by the hooks in ./hooks. Devices get feedback on
 * `trygg/v1/devices/{id}/feedback`, starting with their configuration when they subscribe.
 */
import net from 'node:net';
import os from 'node:os';
import tls from 'node:tls';
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
import { capPendingPerAddress } from './connection-limit.js';
import type { GatewayContext } from './context.js';
import { authenticate } from './hooks/authenticate.js';
import { authorizePublish } from './hooks/authorize-publish.js';
import { authorizeSubscribe } from './hooks/authorize-subscribe.js';
import { CredentialQueue, type CredentialQueueOptions } from './credential-queue.js';
import { AuthFailures, TokenBuckets, type AuthFailureOptions, type RateOptions } from './limits.js';
import type { GatewayMetrics } from './metrics.js';
import { refusals, routeByVersion } from './mqtt5-bridge.js';
import { Pacer } from './pacer.js';
import { SizeGuard } from './size-guard.js';
import type { TelemetryWriter } from './telemetry.js';

export interface MqttsOptions {
  port: number;
  cert: string | Buffer;
  key: string | Buffer;
  /** CA for client certificates: with it, devices may present one (it must then name the device). */
  ca?: string | Buffer | null;
}

export interface GatewayLimits {
  /** Per-device message budget (events and telemetry together). */
  messages: RateOptions;
  /** Refusals in a row after which a flooding device is disconnected. */
  floodDisconnectAfter: number;
  /** Failed CONNECTs per device id, and different ids failing per address, before either is blocked. */
  authFailures: AuthFailureOptions;
  /** Slow credential checks (scrypt) at once and waiting, overall and per address. */
  credentialChecks: CredentialQueueOptions;
  /** How long a CONNECT refused by one of those limits waits for its CONNACK (a tarpit). */
  refusalDelayMs: number;
  /**
   * Connection churn (./pacer.ts): the event loop turn it aims for while new connections, closes
   * and CONNACKs wait, and the most of them run per turn.
   */
  churn: { turnMs: number; maxPerSlice: number };
  maxClockSkewS: number;
  /** Error feedback messages per device per second (the rest are counted and logged only). */
  errorFeedbackPerSecond: number;
}

export const DEFAULT_LIMITS: GatewayLimits = {
  messages: { perSecond: 20, burst: 100 },
  floodDisconnectAfter: 100,
  authFailures: { maxPerId: 20, maxIdsPerAddress: 20, windowS: 60, blockS: 60 },
  credentialChecks: {
    // One core's worth fewer than the machine has (an alarm needs the event loop and PostgreSQL a
    // core), and at most three of libuv's four threads (pg, fs and sign-in share them).
    concurrency: Math.max(1, Math.min(3, os.availableParallelism() - 1)),
    perAddress: 1,
    maxWaiting: 10_000,
    maxWaitingPerAddress: 1_000,
    maxPerId: 2,
  },
  refusalDelayMs: 1_000,
  churn: { turnMs: 4, maxPerSlice: 64 },
  maxClockSkewS: 3600,
  errorFeedbackPerSecond: 5,
};

export interface MqttGatewayOptions {
  port: number;
  host?: string;
  mqtts?: MqttsOptions | null;
  devices: Pick<DeviceAuthenticator, 'check' | 'recheck' | 'knows'>;
  inbox: Pick<Inbox, 'accept'>;
  telemetry: Pick<TelemetryWriter, 'write'>;
  logger: Logger;
  metrics?: GatewayMetrics | null;
  limits?: Partial<GatewayLimits>;
  /** Connections one address may hold before the broker accepts their CONNECT; 0 or absent = no cap. */
  pendingPerAddress?: number;
}

interface RetainedStore {
  createRetainedStream(pattern: string): AsyncIterable<{ payload: Buffer | string }>;
}

interface Session {
  client: { close(): void; conn?: unknown };
  credential: string | null;
  heartbeatIntervalS: number;
}

export class MqttGateway implements DeviceFeedbackSink {
  readonly counters = new Map<string, number>();
  private broker: Aedes | null = null;
  private servers: net.Server[] = [];
  private readonly sessions = new Map<string, Session>();
  private readonly opts: MqttGatewayOptions;
  private readonly limits: GatewayLimits;
  private readonly errorFeedback: TokenBuckets;
  private readonly churn: Pacer;
  /** Accepted connections waiting for their turn (closed on stop: aedes does not know them yet). */
  private readonly unadmitted = new Set<net.Socket>();
  /** Every accepted connection still open (destroyed on stop, after the broker has closed its clients). */
  private readonly open = new Set<net.Socket>();
  private pruneTimer: NodeJS.Timeout | null = null;

  constructor(opts: MqttGatewayOptions) {
    this.opts = opts;
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.errorFeedback = new TokenBuckets({
      perSecond: this.limits.errorFeedbackPerSecond,
      burst: this.limits.errorFeedbackPerSecond,
    });
    this.churn = new Pacer({
      ...this.limits.churn,
      onError: (err) => this.opts.logger.error({ err }, 'connection churn task failed'),
    });
  }

  /** The bound plain MQTT port (useful with port 0). */
  get port(): number {
    return boundPort(this.servers[0]);
  }

  /** The bound MQTTS port, 0 when there is none. */
  get tlsPort(): number {
    return boundPort(this.servers[1]);
  }

  get connectedDevices(): number {
    return this.broker?.connectedClients ?? 0;
  }

  get ready(): boolean {
    return this.servers.length > 0 && this.servers.every((s) => s.listening) && this.broker?.closed === false;
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
    // The device's configuration, sent as soon as it subscribes to its feedback (so it cannot miss it).
    broker.on('subscribe', (subscriptions, client) => {
      const s = this.sessions.get(client.id);
      if (s && subscriptions.some((sub) => sub.topic === deviceTopic(client.id, 'feedback'))) {
        this.send(client.id, { type: 'config', heartbeatIntervalS: s.heartbeatIntervalS });
      }
    });
    broker.on('clientDisconnect', (client) => {
      const s = this.sessions.get(client.id);
      if (s?.client === client) this.sessions.delete(client.id);
    });
    this.broker = broker;
    const host = this.opts.host ?? '0.0.0.0';
    // Every connection is routed by the version its CONNECT names: v5 through the bridge. New
    // connections are admitted by the churn pacer (a plain socket is not even read before), so a
    // reconnect storm cannot crowd out the devices already connected; an address holding too
    // many connections whose CONNECT is not accepted yet gets no more (./connection-limit.ts).
    const accept = capPendingPerAddress(broker, this.opts.pendingPerAddress ?? 0, this.opts.logger, (socket: net.Socket) => {
      socket.on('error', () => undefined); // reset before its turn: nothing to do
      this.open.add(socket);
      socket.once('close', () => this.open.delete(socket));
      this.unadmitted.add(socket);
      this.churn.admit(() => {
        this.unadmitted.delete(socket);
        if (socket.destroyed) return;
        const guarded = new SizeGuard(
          socket,
          (announced) => {
            this.count('TRYGG_ERR_PAYLOAD_TOO_LARGE');
            this.opts.logger.warn(
              { code: 'TRYGG_ERR_PAYLOAD_TOO_LARGE', address: socket.remoteAddress, announced },
              'packet over the transport ceiling; connection closed',
            );
          },
          (task) => this.churn.later(task),
        );
        routeByVersion(guarded, (conn) => broker.handle(conn));
      });
    });
    // Half-open: a socket that reads its end waits for the broker to close it (in the pacer's
    // slice) instead of closing itself at once.
    const server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true }, accept);
    this.servers.push(await listen(server, this.opts.port, host));
    const mqtts = this.opts.mqtts;
    if (mqtts) {
      const server = tls.createServer(
        {
          cert: mqtts.cert,
          key: mqtts.key,
          ...(mqtts.ca ? { ca: mqtts.ca, requestCert: true, rejectUnauthorized: false } : {}),
        },
        accept,
      );
      // A failed TLS handshake is the client's problem, never the broker's.
      server.on('tlsClientError', (err) => this.opts.logger.debug({ err: err.message }, 'TLS handshake failed'));
      this.servers.push(await listen(server, mqtts.port, host));
    }
    this.pruneTimer = setInterval(() => ctx.authFailures.prune(), 60_000);
    this.pruneTimer.unref();
    this.opts.logger.info({ port: this.port, tlsPort: this.tlsPort || undefined }, 'MQTT broker listening');
  }

  async stop(): Promise<void> {
    const servers = this.servers;
    const broker = this.broker;
    this.servers = [];
    this.broker = null;
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    // No new connections; connections not admitted yet are closed here. A server's close waits
    // for every connection it accepted to end, and a connected device never hangs up by itself:
    // the broker closes its clients (aedes' close), and whatever socket is still open after that
    // (a half-open one, a CONNECT still in the pacer) is destroyed, so a stop with devices
    // connected ends in moments instead of never (issue 20).
    const closed = servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    for (const socket of this.unadmitted) socket.destroy();
    this.unadmitted.clear();
    if (broker) await new Promise<void>((resolve) => broker.close(() => resolve()));
    for (const socket of this.open) socket.destroy();
    this.open.clear();
    await Promise.all(closed);
    this.sessions.clear();
  }

  /**
   * The registry changed (devices NOTIFY): disconnects at once every connected device that was
   * decommissioned, disabled or whose secret was revoked or replaced, and sends a new `config`
   * to those whose heartbeat interval changed.
   */
  async recheckDevices(): Promise<string[]> {
    const connected = new Map([...this.sessions].map(([id, s]) => [id, s.credential]));
    const { revoked, heartbeatIntervalS } = await this.opts.devices.recheck(connected);
    for (const [id, interval] of heartbeatIntervalS) {
      const s = this.sessions.get(id);
      if (!s || s.heartbeatIntervalS === interval || revoked.includes(id)) continue;
      s.heartbeatIntervalS = interval;
      this.send(id, { type: 'config', heartbeatIntervalS: interval });
    }
    for (const id of revoked) {
      const s = this.sessions.get(id);
      if (!s) continue;
      this.sessions.delete(id);
      this.count('TRYGG_ERR_DEVICE_REVOKED');
      this.opts.logger.warn({ code: 'TRYGG_ERR_DEVICE_REVOKED', deviceId: id }, 'device decommissioned or revoked; disconnected');
      refusals(s.client).disconnect(0x87); // MQTT 5: not authorized
      s.client.close();
    }
    return revoked;
  }

  /** The device's retained status (`online` / `offline`, the latter usually its last will), or null. */
  async status(deviceId: string): Promise<string | null> {
    const broker = this.broker;
    if (!broker) return null;
    // aedes' types leave its persistence untyped; this is aedes-persistence's retained stream.
    const persistence = (broker as unknown as { persistence: RetainedStore }).persistence;
    let found: string | null = null;
    for await (const packet of persistence.createRetainedStream(deviceTopic(deviceId, 'status'))) {
      found = packet.payload.toString();
    }
    return found;
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

  private count(what: string): void {
    this.counters.set(what, (this.counters.get(what) ?? 0) + 1);
    if (what.startsWith('TRYGG_ERR_')) this.opts.metrics?.refused.inc({ code: what });
  }

  private context(): GatewayContext {
    const { logger } = this.opts;
    const credentials = new CredentialQueue(this.limits.credentialChecks);
    if (this.opts.metrics) this.opts.metrics.secretChecksDepth = () => credentials.depth;
    const count = (what: string) => this.count(what);
    return {
      devices: this.opts.devices,
      inbox: this.opts.inbox,
      telemetry: this.opts.telemetry,
      logger,
      metrics: this.opts.metrics ?? null,
      rate: new TokenBuckets(this.limits.messages),
      floodDisconnectAfter: this.limits.floodDisconnectAfter,
      authFailures: new AuthFailures(this.limits.authFailures),
      credentials,
      refusalDelayMs: this.limits.refusalDelayMs,
      later: (task) => this.churn.later(task),
      maxClockSkewS: this.limits.maxClockSkewS,
      count,
      reject: (deviceId: string, code: ErrorCode, detail: string, eventId?: string) => {
        count(code);
        logger.warn({ code, deviceId, eventId, detail }, 'device payload refused');
        // A flood of bad payloads must not become a flood of feedback.
        if (!this.errorFeedback.take(deviceId)) return;
        const base = { type: 'error' as const, code, message: `${ERRORS[code].message}: ${detail}` };
        this.send(deviceId, eventId === undefined ? base : { ...base, eventId });
      },
      storeFailed: (deviceId, err, done) => {
        count('TRYGG_ERR_STORE_UNAVAILABLE');
        logger.error({ code: 'TRYGG_ERR_STORE_UNAVAILABLE', deviceId, err }, 'store failed; closing without PUBACK');
        done(new Error('TRYGG_ERR_STORE_UNAVAILABLE'));
      },
      refusals,
      connected: (client, deviceId, check) => {
        this.sessions.set(deviceId, {
          client: client as Session['client'],
          credential: check.credential,
          heartbeatIntervalS: check.heartbeatIntervalS,
        });
      },
    };
  }
}

function boundPort(server: net.Server | undefined): number {
  const addr = server?.address();
  return typeof addr === 'object' && addr ? addr.port : 0;
}

function listen(server: net.Server, port: number, host: string): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
