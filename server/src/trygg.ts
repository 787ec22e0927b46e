/**
 * The composition root: builds every long-lived part from the config, starts them in order and
 * stops them in reverse (STYLE §10), so tests can boot the whole service in-process many times.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';
import pino, { type Logger } from 'pino';
import {
  AlarmEngine,
  Inbox,
  JournalClient,
  JournalWorker,
  JournalWatch,
  createPool,
  listOpenAlarms,
  migrate,
  timelineHead,
  updatesAfter,
  warmPool,
  type EngineDeps,
  type JournalWorkerDeps,
  type Notifier,
  type Pool,
  type Principal,
} from '@trygg/alarm-core';
import {
  EndpointGuard,
  LiveServer,
  PushEncryptor,
  VapidAuth,
  WebPushNotifier,
  loadVapidKeys,
  redisAdapter,
  type Resolve,
} from '@trygg/dashboard';
import {
  DeviceAuthenticator,
  DirectoryListener,
  ScaipUnits,
  SqlDirectory,
  TestWatcher,
  isEmpty,
  journalPatient,
  seedDemo,
} from '@trygg/devices';
import {
  DEFAULT_LIMITS,
  ExternalBrokerConsumer,
  GatewayMetrics,
  MqttGateway,
  ScaipReceiver,
  TelemetryWriter,
  type ScaipReceiverOptions,
  applyTelemetryRetention,
  hasTimescale,
  type GatewayLimits,
} from '@trygg/gateway';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { OidcProvider } from './auth/oidc.js';
import { can } from './auth/policy.js';
import { AccessVerifier } from './auth/verifier.js';
import { TokenService } from './auth/tokens.js';
import type { Config } from './config.js';
import { startEmbeddedDb, type EmbeddedDb } from './embedded-db.js';
import { mqttPortToUse } from './ports.js';
import { StoreHealth, probeDatabase } from './store-health.js';

/** Connections of the alarm path (inbox, engine, SCAIP sessions) and of its directory look-ups. */
const ALARM_CONNECTIONS = 8;
const DIRECTORY_CONNECTIONS = 3;

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
  /** The bound HTTP, MQTT, MQTTS and SIP ports (useful with port 0; mqtt / mqtts 0 = none; null = that SIP listener is off). */
  ports: { http: number; mqtt: number; mqtts: number; sip: { udp: number | null; tcp: number | null; tls: number | null } };
  /** Path of demo.json when the demo was seeded on this start. */
  demoFile: string | null;
  stop(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /** Replaces the web-push notifier (tests that count notifications). */
  notifier?: Notifier;
  /** Engine tuning (sweep period, heartbeat grace, timer instrumentation, delivery backoff). */
  engine?: Pick<EngineDeps, 'sweepIntervalMs' | 'heartbeatGraceS' | 'onTimerFired' | 'delivery'>;
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
  const undo: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const fn of undo.reverse()) {
      await fn().catch((err: unknown) => logger.error({ err }, 'stop step failed'));
    }
    undo.length = 0;
  };
  try {
    let embedded: EmbeddedDb | null = null;
    let databaseUrl = config.databaseUrl;
    if (!databaseUrl) {
      embedded = await startEmbeddedDb(config.dataDir, config.embeddedPgPort, logger);
      const e = embedded;
      undo.push(() => e.stop());
      databaseUrl = embedded.url;
    }
    await migrate(databaseUrl, (msg) => logger.debug({ migrate: msg }, 'migration'));
    // Four pools, so no kind of work can keep another waiting for a connection: the alarm path
    // (inbox, engine) that a person in need waits on; the directory it looks people up in while
    // it holds a connection of its own; device ingress that is not an alarm (telemetry batches,
    // device sign-in); and everything else (API, journal, push, audit).
    // Every pool bounds connecting and every statement (a hung database must surface as errors:
    // 503, no PUBACK, not ready), except the one telemetry retention's long delete runs on.
    const bounded = { connectTimeoutMs: config.dbConnectTimeoutMs, statementTimeoutMs: config.dbStatementTimeoutMs };
    const pool = createPool(databaseUrl, 10, 'trygg', bounded);
    undo.push(() => pool.end());
    const alarmPool = createPool(databaseUrl, ALARM_CONNECTIONS, 'trygg-alarms', { ...bounded, keepIdle: true });
    undo.push(() => alarmPool.end());
    const directoryPool = createPool(databaseUrl, DIRECTORY_CONNECTIONS, 'trygg-directory', { ...bounded, keepIdle: true });
    undo.push(() => directoryPool.end());
    const ingressPool = createPool(databaseUrl, 4, 'trygg-ingress', bounded);
    undo.push(() => ingressPool.end());
    // QoS 0 telemetry: committed without waiting for the disk (nobody waits on its acknowledgement).
    const relaxedPool = createPool(databaseUrl, 2, 'trygg-telemetry-qos0', { ...bounded, relaxedCommit: true });
    undo.push(() => relaxedPool.end());
    const maintenancePool = createPool(databaseUrl, 1, 'trygg-maintenance', { connectTimeoutMs: config.dbConnectTimeoutMs });
    undo.push(() => maintenancePool.end());

    let demoFile: string | null = null;
    if ((embedded !== null || config.demo) && (await isEmpty(pool))) {
      demoFile = (await seedDemo(pool, config.dataDir, { sipRealm: config.sipRealm })).file;
      logger.info({ file: demoFile }, `demo municipality seeded; logins and device secrets are in ${demoFile}`);
    }

    const tokens = await TokenService.load(pool, config.tokenTtlSeconds);
    const oidc = config.oidcIssuer
      ? await OidcProvider.discover({
          issuer: config.oidcIssuer,
          audience: config.oidcAudience,
          clientId: config.oidcClientId,
          clientSecret: config.oidcClientSecret,
        })
      : null;
    if (oidc) logger.info({ issuer: oidc.issuer, webSignIn: oidc.signInEnabled }, 'identity provider trusted');
    const verifier = new AccessVerifier(pool, tokens, oidc, { sessionCheckMs: config.sessionCheckS * 1000 });
    const vapidKeys = await loadVapidKeys(pool);
    const pushGuard = new EndpointGuard({
      allowOrigins: config.pushAllowOrigins,
      ...(opts.pushResolve ? { resolve: opts.pushResolve } : {}),
    });
    const webPush = new WebPushNotifier({
      db: pool,
      guard: pushGuard,
      timeoutMs: config.notifyTimeoutS * 1000,
      vapid: new VapidAuth(vapidKeys, config.vapidSubject),
      encryptor: new PushEncryptor(),
      logger,
      signAction: async (c) => {
        const { rows } = await pool.query<{ display_name: string; roles: Principal['roles']; locale: string }>(
          'SELECT display_name, roles, locale FROM users WHERE id = $1',
          [c.userId],
        );
        const u = rows[0];
        if (!u) throw new Error(`no user ${c.userId}`);
        const principal = { userId: c.userId, name: u.display_name, roles: u.roles, locale: u.locale };
        return tokens.issueAction(principal, c, config.pushActionTtlSeconds);
      },
    });
    let adapter: Awaited<ReturnType<typeof redisAdapter>> | null = null;
    if (config.liveRedisUrl) {
      // Nodes of one installation share its id (in the database), and with it the Redis channel.
      await pool.query(
        `INSERT INTO settings (key, value) VALUES ('installation.id', to_jsonb($1::text)) ON CONFLICT DO NOTHING`,
        [randomUUID()],
      );
      const { rows } = await pool.query<{ value: string }>(`SELECT value FROM settings WHERE key = 'installation.id'`);
      const a = await redisAdapter(config.liveRedisUrl, `trygg#${rows[0]?.value ?? 'default'}`, logger);
      adapter = a;
      undo.push(() => a.close());
      logger.info('live updates fan out through Redis (several nodes)');
    }
    const live = new LiveServer({
      ...(adapter ? { adapter: adapter.adapter } : {}),
      verify: (t) => verifier.verify(t),
      stillValid: (t) => verifier.stillValid(t),
      recheckEveryMs: config.sessionCheckS * 1000,
      mayWatchOperators: (p) => can(p, 'live:operators'),
      mayWatchTechnicians: (p) => can(p, 'live:technicians'),
      mayWatchOwn: (p) => can(p, 'live:own'),
      mayAdminister: (p) => can(p, 'journal:admin'),
      updatesAfter: (after, limit) => updatesAfter(pool, after, limit),
      snapshot: async () => {
        const head = await timelineHead(pool);
        return { head, alarms: await listOpenAlarms(pool) };
      },
      signInTimeoutMs: config.httpHeadersTimeoutS * 1000,
      logger,
    });

    // The gateway and the engine need each other (feedback ↔ inbox): the engine gets the
    // gateway as its feedback sink, the gateway gets the inbox that feeds the engine.
    let gateway: MqttGateway | ExternalBrokerConsumer | null = null;
    const directory = new SqlDirectory(directoryPool, { timeZone: config.timeZone });
    const listener = new DirectoryListener(
      databaseUrl,
      (table) => {
        directory.invalidate();
        // A decommissioned device, or one whose secret was revoked, is disconnected at once.
        if (table === undefined || table === 'devices') {
          if (gateway instanceof MqttGateway)
            gateway.recheckDevices().catch((err: unknown) => logger.warn({ err }, 'device recheck failed'));
        }
      },
      logger,
    );
    await listener.start();
    undo.push(() => listener.stop());
    const engine = new AlarmEngine({
      pool: alarmPool,
      directory,
      live,
      notifier: opts.notifier ?? {
        // Every notification is a log line (recipient, kind, alarm), then a push to the person's devices.
        notify: (n, o) => {
          logger.info({ notification: n.id, kind: n.kind, recipient: n.recipient.name, alarmId: n.alarmId }, 'notification');
          return webPush.notify(n, o);
        },
      },
      // The gateway opens while a crash's backlog of unapplied events is applied behind it.
      awaitFirstSweep: false,
      ...opts.engine,
      // Delivery bookkeeping on the general pool: a push backlog never takes an alarm's connection.
      outboxPool: pool,
      delivery: {
        concurrency: config.notifyConcurrency,
        timeoutMs: config.notifyTimeoutS * 1000,
        maxAttempts: config.notifyMaxAttempts,
        ...opts.engine?.delivery,
      },
      feedback: { send: (deviceId, fb) => gateway?.send(deviceId, fb) },
      logger,
    });
    await engine.start();
    undo.push(() => engine.stop());
    // The alarm path's connections made and its statements prepared before the first device connects.
    await Promise.all([engine.warm(ALARM_CONNECTIONS), warmPool(directoryPool, DIRECTORY_CONNECTIONS, (c) => directory.warm(c))]);

    const metrics = new GatewayMetrics(() => (gateway instanceof MqttGateway ? gateway.connectedDevices : 0));
    const readFiles = async (...files: (string | null)[]) =>
      Promise.all(files.map((f) => (f === null ? Promise.resolve(null) : readFile(f))));
    const [cert, key, ca] = await readFiles(config.mqttsCertFile, config.mqttsKeyFile, config.mqttsCaFile);
    const inbox = new Inbox(alarmPool, engine, logger, { onWrite: metrics.commitObserver('inbox') });
    // Every event store is watched for readiness (store-health.ts).
    const storeHealth = new StoreHealth();
    const watchedInbox: Pick<Inbox, 'accept' | 'acceptWithOutcome' | 'alarmOf' | 'record' | 'expect'> = {
      accept: (deviceId, event) => storeHealth.watch(inbox.accept(deviceId, event)),
      acceptWithOutcome: (deviceId, event) => storeHealth.watch(inbox.acceptWithOutcome(deviceId, event)),
      alarmOf: (deviceId, eventId) => storeHealth.watch(inbox.alarmOf(deviceId, eventId)),
      record: (deviceId, event) => storeHealth.watch(inbox.record(deviceId, event)),
      expect: (deviceId, type) => inbox.expect(deviceId, type),
    };
    const telemetry = new TelemetryWriter(ingressPool, {
      relaxed: relaxedPool,
      onWrite: metrics.commitObserver('telemetry'),
      onRows: (n) => metrics.telemetryRows.inc(n),
    });
    undo.push(() => telemetry.flush()); // after the gateway has stopped taking samples
    // External broker mode: the broker authenticates devices; this node consumes and acks after commit.
    const gw = config.mqttUrl
      ? new ExternalBrokerConsumer({
          url: config.mqttUrl,
          clientId: config.mqttClientId,
          shareGroup: config.mqttShareGroup,
          username: config.mqttUsername,
          password: config.mqttPassword,
          inbox: watchedInbox,
          telemetry,
          logger,
          metrics,
          maxClockSkewS: config.deviceMaxClockSkewS,
        })
      : new MqttGateway({
          port: await mqttPortToUse(config, logger),
          host: config.host,
          mqtts: config.mqttsPort !== null && cert && key ? { port: config.mqttsPort, cert, key, ca: ca ?? null } : null,
          devices: new DeviceAuthenticator(ingressPool),
          inbox: watchedInbox,
          telemetry,
          logger,
          metrics,
          pendingPerAddress: config.mqttPendingPerAddress,
          limits: {
            messages: { perSecond: config.deviceMessageRate, burst: config.deviceMessageBurst },
            floodDisconnectAfter: config.deviceMessageBurst,
            maxClockSkewS: config.deviceMaxClockSkewS,
            authFailures: {
              maxPerId: config.mqttAuthFailuresPerMinute,
              maxIdsPerAddress: config.mqttAuthFailedIdsPerMinute,
              windowS: 60,
              blockS: 60,
            },
            credentialChecks: {
              ...DEFAULT_LIMITS.credentialChecks,
              concurrency: config.mqttAuthConcurrency,
              perAddress: config.mqttAuthPerAddress,
              maxWaiting: config.mqttAuthQueue,
              maxWaitingPerAddress: config.mqttAuthQueuePerAddress,
            },
            ...opts.gatewayLimits,
          },
        });
    await gw.start();
    gateway = gw;
    undo.push(() => gw.stop());

    // SCAIP units reach the same inbox, so their alarms take the same escalation.
    let scaip: ScaipReceiver | null = null;
    if (config.sipEnabled) {
      const tls =
        config.sipTlsCertFile && config.sipTlsKeyFile && config.sipTlsPort !== null
          ? { cert: await readFile(config.sipTlsCertFile), key: await readFile(config.sipTlsKeyFile) }
          : undefined;
      const receiver = new ScaipReceiver({
        host: config.host,
        udpPort: config.sipUdpPort,
        tcpPort: config.sipTcpPort,
        tlsPort: tls ? config.sipTlsPort : null,
        ...(tls ? { tls } : {}),
        ...(config.sipPublicHost ? { advertisedHost: config.sipPublicHost } : {}),
        realm: config.sipRealm,
        db: alarmPool, // its sessions are on an alarm's path
        units: new ScaipUnits(ingressPool),
        inbox: watchedInbox,
        logger,
        streams: { perAddress: config.sipMaxConnectionsPerAddress, ...opts.scaip?.streams },
        maxInFlight: opts.scaip?.maxInFlight ?? config.sipMaxInFlight,
        ...(opts.scaip?.holdPollGapS === undefined ? {} : { holdPollGapS: opts.scaip.holdPollGapS }),
      });
      await receiver.start();
      scaip = receiver;
      undo.push(() => receiver.stop());
      if (!tls) logger.info('SIP over TLS is off: set TRYGG_SIP_TLS_CERT and TRYGG_SIP_TLS_KEY to turn it on');
    }

    // Telemetry retention: a TimescaleDB policy, or an hourly delete on plain PostgreSQL.
    const timescale = await hasTimescale(pool);
    const retain = () =>
      applyTelemetryRetention(maintenancePool, config.telemetryRetentionS, timescale).catch((err: unknown) =>
        logger.warn({ err }, 'telemetry retention failed'),
      );
    await retain();
    if (!timescale) {
      const retention = setInterval(() => void retain(), 3600_000);
      retention.unref();
      undo.push(async () => clearInterval(retention));
    }

    if (config.journalUrl && config.journalTokenUrl && config.journalKeyFile) {
      const worker = new JournalWorker({
        pool,
        client: new JournalClient({
          baseUrl: config.journalUrl,
          tokenUrl: config.journalTokenUrl,
          clientId: config.journalClientId,
          privateJwk: JSON.parse(await readFile(config.journalKeyFile, 'utf8')) as JWK,
          dpop: config.journalDpop,
          timeoutMs: opts.journal?.timeoutMs ?? 10_000,
        }),
        patientOf: (id) => journalPatient(pool, id),
        logger,
        ...opts.journal,
      });
      worker.start();
      undo.push(() => worker.stop());
    } else {
      logger.warn('no TRYGG_JOURNAL_URL: closed alarms wait in the journal outbox until a journal is configured');
    }
    // The backlog alert: an entry undelivered for too long is an error an administrator must see.
    const watch = new JournalWatch({
      pool,
      logger,
      alertAfterS: config.journalAlertAfterS,
      onChange: (state) => {
        live.publishJournalBacklog(state);
        // Also to administrators' phones: the banner only reaches someone who has the page open.
        webPush.notifyJournalBacklog(state).catch((err: unknown) => logger.warn({ err }, 'journal backlog push failed'));
      },
      everyMs: opts.journal?.watchMs,
    });
    watch.start();
    undo.push(async () => watch.stop());

    // Verified installations: a device's test event settles its running test at once.
    const tests = new TestWatcher({ pool, databaseUrl, logger, onSettled: (t) => live.publishTests(t) });
    await tests.start();
    undo.push(() => tests.stop());

    const http = await buildApp({
      http: {
        idleTimeoutS: config.httpIdleTimeoutS,
        headersTimeoutS: config.httpHeadersTimeoutS,
        requestTimeoutS: config.httpRequestTimeoutS,
        connectionsPerAddress: config.httpConnectionsPerAddress,
      },
      onInstallationTest: (t) => live.publishTests([t]),
      installationTestWindowS: config.installationTestWindowS,
      // In external broker mode the broker holds the connections (revocation is its ACL's job).
      disconnectDevice: (id) => {
        if (gw instanceof MqttGateway) gw.disconnect(id);
      },
      sipRealm: config.sipRealm,
      journalAlertAfterS: config.journalAlertAfterS,
      verifier,
      lockout: { maxFailures: config.loginMaxFailures, lockSeconds: config.loginLockSeconds },
      publicUrl: config.publicUrl,
      unusualAccess: { residents: config.auditUnusualResidents, windowS: config.auditUnusualWindowS },
      onUnusualAccess: (alert) => live.publishUnusualAccess(alert),
      onBrokenGlass: (grant) => live.publishBrokenGlass(grant),
      onSessionEnded: (ended) => live.endSessions(ended),
      breakGlass: { maxResidents: config.breakGlassMaxResidents, windowS: config.breakGlassWindowS },
      push: { vapidPublicKey: vapidKeys.publicKey, guard: pushGuard, maxSubscriptions: config.pushMaxSubscriptions },
      online: (ids) => live.online(ids),
      metrics: { registry: metrics.registry, token: config.metricsToken },
      logger,
      pool,
      engine,
      tokens,
      checks: {
        database: () => probeDatabase(alarmPool),
        store: () => !storeHealth.failing,
        broker: () => gw.ready && (scaip?.ready ?? true),
      },
    });
    // A signed-in live socket stops counting against its address's connection cap.
    live.attach(http.server, { established: (s) => http.connectionLimit.release(s) });
    await http.listen({ port: config.port, host: config.host });
    undo.push(async () => {
      await live.close();
      await http.close();
    });
    const httpPort = (http.server.address() as AddressInfo).port;
    logger.info(
      { http: httpPort, mqtt: gw instanceof MqttGateway ? gw.port : config.mqttUrl },
      `Trygg is running: http://localhost:${httpPort}`,
    );

    return {
      config,
      logger,
      pool,
      engine,
      gateway: gw instanceof MqttGateway ? gw : null,
      external: gw instanceof ExternalBrokerConsumer ? gw : null,
      scaip,
      live,
      http,
      tokens,
      ports: {
        http: httpPort,
        mqtt: gw instanceof MqttGateway ? gw.port : 0,
        mqtts: gw instanceof MqttGateway ? gw.tlsPort : 0,
        sip: scaip?.ports ?? { udp: null, tcp: null, tls: null },
      },
      demoFile,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
