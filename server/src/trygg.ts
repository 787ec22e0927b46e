/**
 * The composition root: the parts of a node (server/src/parts/, each a small module with
 * start / stop), listed in the order they start; the ones the config leaves off are skipped, and
 * they stop in reverse (STYLE §10), so tests can boot the whole service in-process many times.
 *
 * The order is the stop order read backwards, and it was tuned: the self-test stops first (it
 * must not take the shutdown for a broken chain), then HTTP and the live channel; then the installation-test watcher, the journal, retention; then the gateways stop
 * taking device events (SCAIP, then MQTT) before the last telemetry batch is flushed and before
 * the engine drains; then the directory listener, the Redis fan-out, and the database last.
 */
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import type { AlarmEngine, Channels, EngineDeps, JournalWorkerDeps, Pool, SmsTransport } from '@trygg/alarm-core';
import type { LiveServer, Resolve } from '@trygg/dashboard';
import type { ExternalBrokerConsumer, GatewayLimits, MqttGateway, ScaipReceiver, ScaipReceiverOptions } from '@trygg/gateway';
import type { FastifyInstance } from 'fastify';
import type { SignInLinkMaker } from './auth/signin-links.js';
import type { TokenService } from './auth/tokens.js';
import type { ChainSelfTest } from './chain/self-test.js';
import type { Config } from './config.js';
import { HealthRegistry } from './health/registry.js';
import { reportOptionalParts } from './health/seams.js';
import { database } from './parts/database.js';
import { chain } from './parts/chain.js';
import { demo } from './parts/demo.js';
import { directory } from './parts/directory.js';
import { dutyWatch } from './parts/duty-watch.js';
import { engine } from './parts/engine.js';
import { identity } from './parts/identity.js';
import { ingress } from './parts/ingress.js';
import { installationTests } from './parts/installation-tests.js';
import { integrationWatch } from './parts/integration-watch.js';
import { journalWatch } from './parts/journal-watch.js';
import { journal } from './parts/journal.js';
import { liveRedis } from './parts/live-redis.js';
import { live } from './parts/live.js';
import { mqttBroker } from './parts/mqtt-broker.js';
import { mqttConsumer } from './parts/mqtt-consumer.js';
import { StopStack, type Part, type PartContext, type Parts } from './parts/part.js';
import { push } from './parts/push.js';
import { smsChannel } from './parts/sms-channel.js';
import { scaip } from './parts/scaip.js';
import { sms } from './parts/sms.js';
import { serviceWatch } from './parts/service-watch.js';
import { telemetryRetention } from './parts/telemetry-retention.js';
import { web } from './parts/web.js';

/** The parts of a node, in start order; each starts after the parts it uses and stops before them. */
const PARTS: Part[] = [
  database, // embedded PostgreSQL (without DATABASE_URL), migrations, pools: closed last
  demo, // the demo municipality, into an empty database
  identity, // tokens, the identity provider, the access verifier
  push, // web push: VAPID keys, endpoint guard, notifier
  sms, // the SMPP transport to the SMS gateway (or the demo's local SMSC)
  liveRedis, // socket.io fan-out through Redis (several nodes)
  live, // the live channel (closed with HTTP, by web)
  directory, // who hears about an alarm; the registry change listener
  smsChannel, // the SMS channel over the sms part's gateway: texts, receipts, answers by reply
  engine, // the alarm engine: stops after the gateways, so what they committed is applied
  ingress, // inbox, telemetry writer (flushed after the gateways stop), metrics, store health
  mqttBroker, // the embedded MQTT broker (without TRYGG_MQTT_URL)
  mqttConsumer, // the external-broker consumer (with TRYGG_MQTT_URL)
  scaip, // SCAIP over SIP (TRYGG_SIP)
  serviceWatch, // starts, stops and ingress up or down as facts: supervision's grace after an outage
  telemetryRetention, // TimescaleDB policy or hourly delete
  journal, // journal delivery (with a journal configured)
  journalWatch, // the journal backlog alert
  installationTests, // verified installations
  integrationWatch, // the integrations' health to the log and the live banner
  dutyWatch, // responders on duty: gaps to the leader
  web, // the Fastify app and the live channel on it
  chain, // the self-test: test alarms through each ingress to the live channel, once all it proves runs; stopped first
];

export interface Trygg {
  config: Config;
  logger: Logger;
  pool: Pool;
  engine: AlarmEngine;
  /** The embedded broker; null in external broker mode. */
  gateway: MqttGateway | null;
  /** The external-broker consumer; null with the embedded broker. */
  external: ExternalBrokerConsumer | null;
  /** The SCAIP receiver; null when SIP is off. */
  scaip: ScaipReceiver | null;
  live: LiveServer;
  http: FastifyInstance;
  tokens: TokenService;
  /** Every integration's health (what /readyz answers). */
  health: HealthRegistry;
  /** Makes a person's single-use sign-in link (identity part). */
  signInLink: SignInLinkMaker;
  /** The bound HTTP, MQTT, MQTTS and SIP ports (useful with port 0; mqtt / mqtts 0 = none; null = that SIP listener is off). */
  ports: { http: number; mqtt: number; mqtts: number; sip: { udp: number | null; tcp: number | null; tls: number | null } };
  /** The self-test of the chain; null when TRYGG_SELFTEST_INTERVAL_S is 0. */
  chain: ChainSelfTest | null;
  /** Path of demo.json when the demo was seeded on this start. */
  demoFile: string | null;
  /** The SMS gateway's transport; null when the node has none. */
  sms: SmsTransport | null;
  stop(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /** Replaces or adds channels by kind (tests that count notifications, a test SMS channel). */
  channels?: Channels;
  /** Engine tuning (sweep period, heartbeat grace, timer instrumentation, delivery backoff). */
  engine?: Pick<EngineDeps, 'sweepIntervalMs' | 'heartbeatGraceS' | 'onTimerFired' | 'delivery' | 'supervision'>;
  /** How often the service watch marks ingress, and when a mark is stale (tests: faster than 10 s / 30 s). */
  serviceWatch?: { everyMs?: number; staleS?: number };
  /** How push endpoints' names resolve (tests: a name that changes its answer); default the system's. */
  pushResolve?: Resolve;
  /** Gateway limits beyond the config (tests). */
  gatewayLimits?: Partial<GatewayLimits>;
  /** SCAIP receiver tuning beyond the config (tests: short stream limits, a low overload mark, a short hold-poll gap). */
  scaip?: Pick<ScaipReceiverOptions, 'streams' | 'maxInFlight' | 'holdPollGapS'>;
  /** Journal worker tuning (backoff, follow-up and poll periods), and how often the backlog alert looks. */
  journal?: Pick<JournalWorkerDeps, 'baseBackoffMs' | 'maxBackoffMs' | 'followUpMs' | 'pollMs' | 'concurrency'> & {
    timeoutMs?: number;
    watchMs?: number;
  };
}

export async function startTrygg(config: Config, opts: StartOptions = {}): Promise<Trygg> {
  const logger = opts.logger ?? pino({ level: config.logLevel });
  const running = new Map<keyof Parts, unknown>();
  const stops = new StopStack(logger);
  const ctx: PartContext = {
    config,
    logger,
    options: opts,
    health: new HealthRegistry(),
    get: (name) => {
      const part = ctx.find(name);
      if (part === null) throw new Error(`part ${name} is not running (off by config, or it starts later)`);
      return part;
    },
    find: <K extends keyof Parts>(name: K) => (running.get(name) as Parts[K] | undefined) ?? null,
  };
  const stop = () => stops.run();
  try {
    for (const part of PARTS) {
      if (part.enabled && !part.enabled(config)) continue;
      const started = await part.start(ctx);
      stops.push(() => started.stop());
      running.set(part.name, started);
      // Parts that other work adds and that may not report themselves yet (the SMS gateway).
      reportOptionalParts(ctx.health, (name) => running.get(name as keyof Parts));
    }
    return handleOf(ctx, stop);
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The handle startTrygg returns, read from the running parts. */
function handleOf({ config, logger, get, find, health }: PartContext, stop: () => Promise<void>): Trygg {
  const gateway = find('mqttBroker')?.gateway ?? null;
  const scaip = find('scaip')?.receiver ?? null;
  const { http } = get('web');
  const httpPort = (http.server.address() as AddressInfo).port;
  logger.info(
    { http: httpPort, mqtt: gateway ? gateway.port : config.mqttUrl },
    `Trygg is running: http://localhost:${httpPort}`,
  );
  return {
    config,
    logger,
    pool: get('database').pool,
    engine: get('engine').engine,
    gateway,
    external: find('mqttConsumer')?.consumer ?? null,
    scaip,
    live: get('live').live,
    http,
    tokens: get('identity').tokens,
    health,
    signInLink: get('identity').signInLink,
    ports: {
      http: httpPort,
      mqtt: gateway ? gateway.port : 0,
      mqtts: gateway ? gateway.tlsPort : 0,
      sip: scaip?.ports ?? { udp: null, tcp: null, tls: null },
    },
    chain: find('chain')?.selfTest ?? null,
    demoFile: find('demo')?.file ?? null,
    sms: find('sms')?.transport ?? null,
    stop,
  };
}
