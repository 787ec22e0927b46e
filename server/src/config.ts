/**
 * Configuration in one place (STYLE §9): a schema, defaults, the environment mapping, and a
 * validation at boot that names the offending setting. Nothing else reads process.env.
 */
import os from 'node:os';
import path from 'node:path';
import Type, { type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { PROTECTING_DEVICE_KINDS, TryggError } from '@trygg/alarm-core';

const Port = Type.Integer({ minimum: 0, maximum: 65535 });
/** An SMS sender: "+" and a number, a short code or number, or a name with a letter (gateway/src/smpp/address.ts chooses its TON/NPI). */
const SENDER_PATTERN = '^(\\+[1-9][0-9]{6,14}|[0-9]{3,15}|[A-Za-z0-9 ._-]{0,10}[A-Za-z][A-Za-z0-9 ._-]{0,10})$';
/** A port, or null = that listener is off. */
const OptionalPort = Type.Union([Port, Type.Null()]);

export const ConfigSchema = Type.Object({
  /** PostgreSQL URL; absent → embedded PostgreSQL in dataDir. */
  databaseUrl: Type.Union([Type.String({ pattern: '^postgres(ql)?://' }), Type.Null()]),
  /** Where the embedded database, demo.json and other local state live. */
  dataDir: Type.String({ minLength: 1 }),
  host: Type.String({ minLength: 1 }),
  port: Port,
  mqttPort: Port,
  /**
   * The embedded default with no TRYGG_MQTT_PORT: a busy mqttPort gives way to the next free one
   * (ports.ts). Derived, never set by an environment variable; a chosen port never moves.
   */
  mqttPortMayMove: Type.Boolean(),
  /** Port of the embedded PostgreSQL; 0 = any free port. */
  embeddedPgPort: Port,
  logLevel: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  /** Seed the demo municipality even into a database named by DATABASE_URL. */
  demo: Type.Boolean(),
  /** Lifetime of a sign-in token, seconds. */
  tokenTtlSeconds: Type.Integer({ minimum: 60, maximum: 7 * 24 * 3600 }),
  /** Lasting sign-in on one's own phone: days unused before it ends, for relatives and for staff phones (0 = none). */
  lastingSignInRelativeDays: Type.Integer({ minimum: 0, maximum: 400 }),
  lastingSignInStaffDays: Type.Integer({ minimum: 0, maximum: 400 }),
  /** The access session a lasting sign-in renews, seconds. */
  lastingAccessTtlS: Type.Integer({ minimum: 60, maximum: 24 * 3600 }),
  /** How long a sign-in link opens, seconds (an alarm's SMS may ask for its own). */
  signInLinkTtlS: Type.Integer({ minimum: 60, maximum: 7 * 24 * 3600 }),
  /** "Send me a new link" requests within an hour, per phone number and per address. */
  signInLinkPerNumber: Type.Integer({ minimum: 1, maximum: 100 }),
  signInLinkPerAddress: Type.Integer({ minimum: 1, maximum: 10_000 }),
  /** How long a session's standing (account there and unchanged, not signed out) is cached, and how often live sockets are looked at again. */
  sessionCheckS: Type.Integer({ minimum: 1, maximum: 300 }),
  /** The patient journal's FHIR base URL; null = no delivery (entries wait in the outbox). */
  journalUrl: Type.Union([Type.String({ pattern: '^https?://' }), Type.Null()]),
  /** Its OAuth 2.0 token endpoint (client credentials with private_key_jwt). */
  journalTokenUrl: Type.Union([Type.String({ pattern: '^https?://' }), Type.Null()]),
  journalClientId: Type.String({ minLength: 1 }),
  /** A JSON file with the client's private key as an EC P-256 JWK. */
  journalKeyFile: Type.Union([Type.String({ minLength: 1 }), Type.Null()]),
  /** Ask for DPoP-bound tokens and prove possession on every call. */
  journalDpop: Type.Boolean(),
  /** An entry undelivered for longer than this raises the backlog alert. */
  journalAlertAfterS: Type.Integer({ minimum: 60 }),
  /** How often the integrations' health is looked at for the live banner and the log (seconds). */
  healthWatchS: Type.Integer({ minimum: 1, maximum: 600 }),
  /** Fewest operators with the console open before the leader is alerted (one alone is not sound). */
  dutyMinOperators: Type.Integer({ minimum: 1, maximum: 100 }),
  /** How often responders on duty are counted (seconds). */
  dutyCheckS: Type.Integer({ minimum: 1, maximum: 3600 }),
  /** After a start, how long consoles have to reconnect before a gap is raised (seconds). */
  dutyGraceS: Type.Integer({ minimum: 0, maximum: 3600 }),
  /** The service's address as browsers reach it (for the identity provider's redirect); null = as the request came. */
  publicUrl: Type.Union([Type.String({ pattern: '^https?://' }), Type.Null()]),
  /** The municipality's OpenID Connect provider; null = local accounts only. */
  oidcIssuer: Type.Union([Type.String({ pattern: '^https?://' }), Type.Null()]),
  /** The audience Trygg's access tokens from the provider carry. */
  oidcAudience: Type.String({ minLength: 1 }),
  /** Trygg's client at the provider, for the web sign-in; null = API tokens only. */
  oidcClientId: Type.Union([Type.String({ minLength: 1 }), Type.Null()]),
  oidcClientSecret: Type.Union([Type.String({ minLength: 1 }), Type.Null()]),
  /** Failed local sign-ins in a row from one address that lock an account for that address, and for how long. */
  loginMaxFailures: Type.Integer({ minimum: 1, maximum: 100 }),
  loginLockSeconds: Type.Integer({ minimum: 1, maximum: 24 * 3600 }),
  /** Different residents one person may open by breaking the glass within the window. */
  breakGlassMaxResidents: Type.Integer({ minimum: 1, maximum: 100 }),
  breakGlassWindowS: Type.Integer({ minimum: 60 }),
  /** More different residents' records than this opened by one user within the window is reported. */
  auditUnusualResidents: Type.Integer({ minimum: 1 }),
  auditUnusualWindowS: Type.Integer({ minimum: 10 }),
  /** SCAIP receiver (SIP): off entirely, or per transport (null = that transport off). */
  sipEnabled: Type.Boolean(),
  sipUdpPort: OptionalPort,
  sipTcpPort: OptionalPort,
  /** TLS listens only when a certificate and key are given. */
  sipTlsPort: OptionalPort,
  sipTlsCertFile: Type.Union([Type.String({ minLength: 1 }), Type.Null()]),
  sipTlsKeyFile: Type.Union([Type.String({ minLength: 1 }), Type.Null()]),
  /** Digest realm; a unit's HA1 is bound to it. */
  sipRealm: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9.-]+$' }),
  /** Host name or address put in Via and From of our requests; default: the bound address. */
  sipPublicHost: Type.Union([Type.String({ minLength: 1 }), Type.Null()]),
  /** SIP connections (TCP, TLS) one address may hold: a care home's units share one NAT address. */
  sipMaxConnectionsPerAddress: Type.Integer({ minimum: 1, maximum: 20_000 }),
  /** SIP requests handled at once above which heartbeats wait (503 Retry-After); alarms at twice it. */
  sipMaxInFlight: Type.Integer({ minimum: 10, maximum: 100_000 }),
  /** The municipality's time zone: relatives' "not available" windows are in its local time. */
  timeZone: Type.String({ minLength: 1, maxLength: 64 }),
  /**
   * Device kinds whose silence leaves a person unprotected: their offline alarm alerts the
   * response centre together with the technicians (other kinds: technicians only).
   */
  protectingDeviceKinds: Type.Array(Type.String({ minLength: 2, maxLength: 32, pattern: '^[a-z][a-z0-9-]*$' })),
  /** The language of texts to someone with no account of their own (a relative reached by SMS). */
  defaultLanguage: Type.Enum(['nb', 'sv', 'en']),
  /** Where a phone number typed without a country code is (ISO 3166-1 alpha-2: NO, SE, DK, FI …). */
  phoneRegion: Type.String({ pattern: '^[A-Z]{2}$' }),
  /** Seconds a device has to send its test event after a technician starts a test. */
  installationTestWindowS: Type.Integer({ minimum: 10, maximum: 3600 }),
  /** Contact given to push services in the VAPID JWT (RFC 8292 §2.1): `mailto:` or `https:`. */
  vapidSubject: Type.String({ pattern: '^(mailto:|https://)' }),
  /** Lifetime of the token a push notification's Accept / Decline buttons carry, seconds. */
  pushActionTtlSeconds: Type.Integer({ minimum: 60, maximum: 24 * 3600 }),
  /**
   * Push-service origins taken as they are, without the public-address check and `http:` allowed:
   * a local push service in tests and development. Production leaves it empty.
   */
  pushAllowOrigins: Type.Array(Type.String({ pattern: '^https?://[^/?#@]+$' })),
  /** Push subscriptions (devices) per person; a new one beyond this replaces the oldest. */
  pushMaxSubscriptions: Type.Integer({ minimum: 1, maximum: 100 }),
  /** Notifications being delivered at once. */
  notifyConcurrency: Type.Integer({ minimum: 1, maximum: 1000 }),
  /** Seconds one delivery attempt (every device of the person, in parallel) may take. */
  notifyTimeoutS: Type.Integer({ minimum: 1, maximum: 120 }),
  /** Attempts before a notification is given up (`failed`, for a next channel). */
  notifyMaxAttempts: Type.Integer({ minimum: 1, maximum: 50 }),
  /** socket.io adapter for several nodes: none (one node) or a Redis URL. */
  liveRedisUrl: Type.Union([Type.String({ pattern: '^rediss?://' }), Type.Null()]),
  /** MQTTS port alongside plain MQTT; null = no TLS listener. */
  mqttsPort: Type.Union([Port, Type.Null()]),
  /** PEM files of the MQTTS certificate, its key, and the CA for (optional) client certificates. */
  mqttsCertFile: Type.Union([Type.String({ minLength: 1 }), Type.Null()]),
  mqttsKeyFile: Type.Union([Type.String({ minLength: 1 }), Type.Null()]),
  mqttsCaFile: Type.Union([Type.String({ minLength: 1 }), Type.Null()]),
  /** Messages per second a device may send on average, and at once above that. */
  deviceMessageRate: Type.Number({ exclusiveMinimum: 0 }),
  deviceMessageBurst: Type.Integer({ minimum: 1 }),
  /** A device timestamp further than this from Trygg's clock is refused (telemetry) or replaced (events). */
  deviceMaxClockSkewS: Type.Integer({ minimum: 1 }),
  /** Failed MQTT CONNECTs for one device id per minute before the id is blocked for a minute. */
  mqttAuthFailuresPerMinute: Type.Integer({ minimum: 1 }),
  /** Different device ids failing MQTT CONNECTs from one address per minute before the address is blocked for a minute. */
  mqttAuthFailedIdsPerMinute: Type.Integer({ minimum: 1 }),
  /** Device secret checks (scrypt) running at once, overall and from one address. */
  mqttAuthConcurrency: Type.Integer({ minimum: 1, maximum: 64 }),
  mqttAuthPerAddress: Type.Integer({ minimum: 1 }),
  /** Device secret checks waiting, overall and from one address, before a CONNECT is refused as busy. */
  mqttAuthQueue: Type.Integer({ minimum: 1 }),
  mqttAuthQueuePerAddress: Type.Integer({ minimum: 1 }),
  /** How long telemetry is kept, seconds (TRYGG_TELEMETRY_RETENTION takes `730d`, `2y`, `12h` …). */
  telemetryRetentionS: Type.Integer({ minimum: 3600 }),
  /** External broker mode: the broker's URL; set → no embedded broker. */
  mqttUrl: Type.Union([Type.String({ pattern: '^(mqtts?|wss?)://' }), Type.Null()]),
  /** This node's fixed client id at the external broker (its persistent session). */
  mqttClientId: Type.String({ minLength: 1, maxLength: 64 }),
  /** The shared-subscription group all gateway nodes of one installation join. */
  mqttShareGroup: Type.String({ pattern: '^[A-Za-z0-9_-]+$' }),
  mqttUsername: Type.Union([Type.String(), Type.Null()]),
  mqttPassword: Type.Union([Type.String(), Type.Null()]),
  /** The self-test: seconds between synthetic test alarms through each ingress (also sent at start); 0 = off. */
  selfTestIntervalS: Type.Integer({ minimum: 0, maximum: 300 }),
  /** A test alarm that reaches the live channel later than this (seconds) is late; later than twice this, or never, is missing. */
  selfTestLateS: Type.Integer({ minimum: 1, maximum: 150 }),
  /** Bearer token for /metrics; null = /metrics answers only requests from this machine. */
  metricsToken: Type.Union([Type.String({ minLength: 16 }), Type.Null()]),
  /** HTTP (API, web app, socket.io): an idle keep-alive connection is closed after this. */
  httpIdleTimeoutS: Type.Integer({ minimum: 1, maximum: 3600 }),
  /** Seconds a client has to send a request's headers (a new connection its first byte, a live socket to sign in). */
  httpHeadersTimeoutS: Type.Integer({ minimum: 1, maximum: 600 }),
  /** Seconds a client has to send a whole request, body included. */
  httpRequestTimeoutS: Type.Integer({ minimum: 1, maximum: 3600 }),
  /** HTTP connections one address may hold open, those that proved themselves (signed in) not counted; 0 = no cap. */
  httpConnectionsPerAddress: Type.Integer({ minimum: 0 }),
  /** MQTT connections one address may hold before their CONNECT is accepted; 0 = no cap. */
  mqttPendingPerAddress: Type.Integer({ minimum: 0 }),
  /** Milliseconds to make a database connection or wait for a free one in a pool. */
  dbConnectTimeoutMs: Type.Integer({ minimum: 100, maximum: 120_000 }),
  /** Milliseconds a statement of the service may run (every pool but telemetry retention's). */
  dbStatementTimeoutMs: Type.Integer({ minimum: 500, maximum: 3_600_000 }),
  /** The SMS gateway (SMPP 3.4); null = none (the embedded default runs the local SMSC instead, docs/sms.md). */
  smppHost: Type.Union([Type.String({ minLength: 1 }), Type.Null()]),
  smppPort: Type.Integer({ minimum: 1, maximum: 65535 }),
  smppTls: Type.Boolean(),
  /** bind_transceiver credentials: system_id (≤ 15), password (≤ 8 in SMPP 3.4, a secret: never logged), system_type (≤ 12). */
  smppSystemId: Type.String({ minLength: 1, maxLength: 15 }),
  smppPassword: Type.String({ maxLength: 8 }),
  smppSystemType: Type.String({ maxLength: 12 }),
  /** Source address of Trygg's texts: "+4790000000", a short code, or a name of at most 11 characters. */
  smsSender: Type.String({ minLength: 1, maxLength: 16, pattern: SENDER_PATTERN }),
  /** GSM 7-bit when every character fits, else UCS-2 (`auto`); or always one of them. */
  smsEncoding: Type.Enum(['auto', 'gsm', 'ucs2']),
  /** submit_sm outstanding at once (the gateway's window). */
  smppWindow: Type.Integer({ minimum: 1, maximum: 1000 }),
  /** This node's name in the service's own events and ingress marks (stable across restarts). */
  nodeName: Type.String({ minLength: 1, maxLength: 128 }),
  /** Devices overdue at once that make one supervision incident: this share of the supervised … */
  stormShare: Type.Number({ exclusiveMinimum: 0, maximum: 1 }),
  /** … and at least this many … */
  stormMinDevices: Type.Integer({ minimum: 2 }),
  /** … each gone overdue within this many seconds. */
  stormWindowS: Type.Integer({ minimum: 10, maximum: 86_400 }),
  /** A device heard in fewer than this share of its heartbeat slots (24 h or 30 days) is on the technicians' flaky list. */
  flakyBelow: Type.Number({ minimum: 0, maximum: 1 }),
  /** Days after which an alarm button's monthly user test is overdue. */
  userTestIntervalDays: Type.Integer({ minimum: 1, maximum: 366 }),
});
export type Config = Static<typeof ConfigSchema>;

/** Environment variable → config key, and how to read it. */
const ENV: Record<string, { key: keyof Config; parse: (v: string) => unknown }> = {
  DATABASE_URL: { key: 'databaseUrl', parse: (v) => v },
  TRYGG_DATA_DIR: { key: 'dataDir', parse: (v) => v },
  HOST: { key: 'host', parse: (v) => v },
  PORT: { key: 'port', parse: toNumber },
  TRYGG_MQTT_PORT: { key: 'mqttPort', parse: toNumber },
  TRYGG_EMBEDDED_PG_PORT: { key: 'embeddedPgPort', parse: toNumber },
  TRYGG_LOG_LEVEL: { key: 'logLevel', parse: (v) => v },
  TRYGG_DEMO: { key: 'demo', parse: toBool },
  TRYGG_TOKEN_TTL_SECONDS: { key: 'tokenTtlSeconds', parse: toNumber },
  TRYGG_SESSION_CHECK_S: { key: 'sessionCheckS', parse: toNumber },
  TRYGG_LASTING_SIGNIN_RELATIVE_DAYS: { key: 'lastingSignInRelativeDays', parse: toNumber },
  TRYGG_LASTING_SIGNIN_STAFF_DAYS: { key: 'lastingSignInStaffDays', parse: toNumber },
  TRYGG_LASTING_ACCESS_TTL_S: { key: 'lastingAccessTtlS', parse: toNumber },
  TRYGG_SIGNIN_LINK_TTL_S: { key: 'signInLinkTtlS', parse: toNumber },
  TRYGG_SIGNIN_LINK_PER_NUMBER: { key: 'signInLinkPerNumber', parse: toNumber },
  TRYGG_SIGNIN_LINK_PER_ADDRESS: { key: 'signInLinkPerAddress', parse: toNumber },
  TRYGG_JOURNAL_URL: { key: 'journalUrl', parse: (v) => v },
  TRYGG_JOURNAL_TOKEN_URL: { key: 'journalTokenUrl', parse: (v) => v },
  TRYGG_JOURNAL_CLIENT_ID: { key: 'journalClientId', parse: (v) => v },
  TRYGG_JOURNAL_KEY_FILE: { key: 'journalKeyFile', parse: (v) => v },
  TRYGG_JOURNAL_DPOP: { key: 'journalDpop', parse: toBool },
  TRYGG_JOURNAL_ALERT_AFTER_S: { key: 'journalAlertAfterS', parse: toNumber },
  TRYGG_HEALTH_WATCH_S: { key: 'healthWatchS', parse: toNumber },
  TRYGG_DUTY_MIN_OPERATORS: { key: 'dutyMinOperators', parse: toNumber },
  TRYGG_DUTY_CHECK_S: { key: 'dutyCheckS', parse: toNumber },
  TRYGG_DUTY_GRACE_S: { key: 'dutyGraceS', parse: toNumber },
  TRYGG_PUBLIC_URL: { key: 'publicUrl', parse: (v) => v.replace(/\/+$/, '') },
  TRYGG_OIDC_ISSUER: { key: 'oidcIssuer', parse: (v) => v },
  TRYGG_OIDC_AUDIENCE: { key: 'oidcAudience', parse: (v) => v },
  TRYGG_OIDC_CLIENT_ID: { key: 'oidcClientId', parse: (v) => v },
  TRYGG_OIDC_CLIENT_SECRET: { key: 'oidcClientSecret', parse: (v) => v },
  TRYGG_LOGIN_MAX_FAILURES: { key: 'loginMaxFailures', parse: toNumber },
  TRYGG_LOGIN_LOCK_SECONDS: { key: 'loginLockSeconds', parse: toNumber },
  TRYGG_BREAK_GLASS_MAX_RESIDENTS: { key: 'breakGlassMaxResidents', parse: toNumber },
  TRYGG_BREAK_GLASS_WINDOW_S: { key: 'breakGlassWindowS', parse: toNumber },
  TRYGG_AUDIT_UNUSUAL_RESIDENTS: { key: 'auditUnusualResidents', parse: toNumber },
  TRYGG_AUDIT_UNUSUAL_WINDOW_S: { key: 'auditUnusualWindowS', parse: toNumber },
  TRYGG_SIP: { key: 'sipEnabled', parse: toBool },
  TRYGG_SIP_UDP_PORT: { key: 'sipUdpPort', parse: toPort },
  TRYGG_SIP_TCP_PORT: { key: 'sipTcpPort', parse: toPort },
  TRYGG_SIP_TLS_PORT: { key: 'sipTlsPort', parse: toPort },
  TRYGG_SIP_TLS_CERT: { key: 'sipTlsCertFile', parse: (v) => v },
  TRYGG_SIP_TLS_KEY: { key: 'sipTlsKeyFile', parse: (v) => v },
  TRYGG_SIP_REALM: { key: 'sipRealm', parse: (v) => v },
  TRYGG_SIP_PUBLIC_HOST: { key: 'sipPublicHost', parse: (v) => v },
  TRYGG_SIP_MAX_CONNECTIONS_PER_ADDRESS: { key: 'sipMaxConnectionsPerAddress', parse: toNumber },
  TRYGG_SIP_MAX_IN_FLIGHT: { key: 'sipMaxInFlight', parse: toNumber },
  TRYGG_TIME_ZONE: { key: 'timeZone', parse: (v) => v },
  TRYGG_PROTECTING_DEVICE_KINDS: { key: 'protectingDeviceKinds', parse: toList },
  TRYGG_DEFAULT_LANGUAGE: { key: 'defaultLanguage', parse: (v) => v.trim().toLowerCase() },
  TRYGG_PHONE_REGION: { key: 'phoneRegion', parse: (v) => v.trim().toUpperCase() },
  TRYGG_TEST_WINDOW_S: { key: 'installationTestWindowS', parse: toNumber },
  TRYGG_VAPID_SUBJECT: { key: 'vapidSubject', parse: (v) => v },
  TRYGG_PUSH_ACTION_TTL_SECONDS: { key: 'pushActionTtlSeconds', parse: toNumber },
  TRYGG_PUSH_ALLOW_ORIGINS: { key: 'pushAllowOrigins', parse: toList },
  TRYGG_PUSH_MAX_SUBSCRIPTIONS: { key: 'pushMaxSubscriptions', parse: toNumber },
  TRYGG_NOTIFY_CONCURRENCY: { key: 'notifyConcurrency', parse: toNumber },
  TRYGG_NOTIFY_TIMEOUT_S: { key: 'notifyTimeoutS', parse: toNumber },
  TRYGG_NOTIFY_MAX_ATTEMPTS: { key: 'notifyMaxAttempts', parse: toNumber },
  TRYGG_LIVE_REDIS_URL: { key: 'liveRedisUrl', parse: (v) => v },
  TRYGG_MQTTS_PORT: { key: 'mqttsPort', parse: toNumber },
  TRYGG_MQTTS_CERT_FILE: { key: 'mqttsCertFile', parse: (v) => v },
  TRYGG_MQTTS_KEY_FILE: { key: 'mqttsKeyFile', parse: (v) => v },
  TRYGG_MQTTS_CA_FILE: { key: 'mqttsCaFile', parse: (v) => v },
  TRYGG_DEVICE_MSG_RATE: { key: 'deviceMessageRate', parse: toNumber },
  TRYGG_DEVICE_MSG_BURST: { key: 'deviceMessageBurst', parse: toNumber },
  TRYGG_DEVICE_MAX_CLOCK_SKEW_S: { key: 'deviceMaxClockSkewS', parse: toNumber },
  TRYGG_MQTT_AUTH_FAILURES_PER_MIN: { key: 'mqttAuthFailuresPerMinute', parse: toNumber },
  TRYGG_MQTT_AUTH_FAILED_IDS_PER_MIN: { key: 'mqttAuthFailedIdsPerMinute', parse: toNumber },
  TRYGG_MQTT_AUTH_CONCURRENCY: { key: 'mqttAuthConcurrency', parse: toNumber },
  TRYGG_MQTT_AUTH_PER_ADDRESS: { key: 'mqttAuthPerAddress', parse: toNumber },
  TRYGG_MQTT_AUTH_QUEUE: { key: 'mqttAuthQueue', parse: toNumber },
  TRYGG_MQTT_AUTH_QUEUE_PER_ADDRESS: { key: 'mqttAuthQueuePerAddress', parse: toNumber },
  TRYGG_TELEMETRY_RETENTION: { key: 'telemetryRetentionS', parse: toSeconds },
  TRYGG_METRICS_TOKEN: { key: 'metricsToken', parse: (v) => v },
  TRYGG_SELFTEST_INTERVAL_S: { key: 'selfTestIntervalS', parse: toNumber },
  TRYGG_SELFTEST_LATE_S: { key: 'selfTestLateS', parse: toNumber },
  TRYGG_HTTP_IDLE_TIMEOUT_S: { key: 'httpIdleTimeoutS', parse: toNumber },
  TRYGG_HTTP_HEADERS_TIMEOUT_S: { key: 'httpHeadersTimeoutS', parse: toNumber },
  TRYGG_HTTP_REQUEST_TIMEOUT_S: { key: 'httpRequestTimeoutS', parse: toNumber },
  TRYGG_HTTP_CONNECTIONS_PER_ADDRESS: { key: 'httpConnectionsPerAddress', parse: toNumber },
  TRYGG_MQTT_PENDING_PER_ADDRESS: { key: 'mqttPendingPerAddress', parse: toNumber },
  TRYGG_MQTT_URL: { key: 'mqttUrl', parse: (v) => v },
  TRYGG_MQTT_CLIENT_ID: { key: 'mqttClientId', parse: (v) => v },
  TRYGG_MQTT_SHARE_GROUP: { key: 'mqttShareGroup', parse: (v) => v },
  TRYGG_MQTT_USERNAME: { key: 'mqttUsername', parse: (v) => v },
  TRYGG_MQTT_PASSWORD: { key: 'mqttPassword', parse: (v) => v },
  TRYGG_DB_CONNECT_TIMEOUT_MS: { key: 'dbConnectTimeoutMs', parse: toNumber },
  TRYGG_DB_STATEMENT_TIMEOUT_MS: { key: 'dbStatementTimeoutMs', parse: toNumber },
  TRYGG_SMPP_HOST: { key: 'smppHost', parse: (v) => v },
  TRYGG_SMPP_PORT: { key: 'smppPort', parse: toNumber },
  TRYGG_SMPP_TLS: { key: 'smppTls', parse: toBool },
  TRYGG_SMPP_SYSTEM_ID: { key: 'smppSystemId', parse: (v) => v },
  TRYGG_SMPP_PASSWORD: { key: 'smppPassword', parse: (v) => v },
  TRYGG_SMPP_SYSTEM_TYPE: { key: 'smppSystemType', parse: (v) => v },
  TRYGG_SMS_SENDER: { key: 'smsSender', parse: (v) => v },
  TRYGG_SMS_ENCODING: { key: 'smsEncoding', parse: (v) => v.toLowerCase() },
  TRYGG_SMPP_WINDOW: { key: 'smppWindow', parse: toNumber },
  TRYGG_NODE_NAME: { key: 'nodeName', parse: (v) => v },
  TRYGG_STORM_SHARE: { key: 'stormShare', parse: toNumber },
  TRYGG_STORM_MIN_DEVICES: { key: 'stormMinDevices', parse: toNumber },
  TRYGG_STORM_WINDOW_S: { key: 'stormWindowS', parse: toNumber },
  TRYGG_FLAKY_BELOW: { key: 'flakyBelow', parse: toNumber },
  TRYGG_USER_TEST_INTERVAL_DAYS: { key: 'userTestIntervalDays', parse: toNumber },
};

/** Every environment variable the config reads (the docs are checked against it: config-doc.test.ts). */
export const SETTINGS: readonly string[] = Object.keys(ENV);

export const DEFAULTS: Config = {
  databaseUrl: null,
  dataDir: './.trygg',
  host: '0.0.0.0',
  port: 8080,
  mqttPort: 1883,
  mqttPortMayMove: false,
  embeddedPgPort: 0,
  logLevel: 'info',
  demo: false,
  tokenTtlSeconds: 12 * 3600,
  sessionCheckS: 5,
  lastingSignInRelativeDays: 90,
  lastingSignInStaffDays: 30,
  lastingAccessTtlS: 900,
  signInLinkTtlS: 900,
  signInLinkPerNumber: 3,
  signInLinkPerAddress: 20,
  journalUrl: null,
  journalTokenUrl: null,
  journalClientId: 'trygg',
  journalKeyFile: null,
  journalDpop: true,
  journalAlertAfterS: 3600,
  healthWatchS: 10,
  dutyMinOperators: 2,
  dutyCheckS: 30,
  dutyGraceS: 120,
  publicUrl: null,
  oidcIssuer: null,
  oidcAudience: 'trygg-api',
  oidcClientId: null,
  oidcClientSecret: null,
  loginMaxFailures: 5,
  loginLockSeconds: 15 * 60,
  breakGlassMaxResidents: 3,
  breakGlassWindowS: 12 * 3600,
  auditUnusualResidents: 20,
  auditUnusualWindowS: 600,
  sipEnabled: true,
  sipUdpPort: 5060,
  sipTcpPort: 5060,
  sipTlsPort: 5061,
  sipTlsCertFile: null,
  sipTlsKeyFile: null,
  sipRealm: 'trygg',
  sipPublicHost: null,
  sipMaxConnectionsPerAddress: 256,
  sipMaxInFlight: 1000,
  timeZone: 'Europe/Oslo',
  protectingDeviceKinds: [...PROTECTING_DEVICE_KINDS],
  defaultLanguage: 'nb',
  phoneRegion: 'NO',
  installationTestWindowS: 600,
  vapidSubject: 'mailto:drift@trygg.localhost',
  pushActionTtlSeconds: 1800,
  pushAllowOrigins: [],
  pushMaxSubscriptions: 10,
  notifyConcurrency: 64,
  notifyTimeoutS: 10,
  notifyMaxAttempts: 8,
  liveRedisUrl: null,
  mqttsPort: null,
  mqttsCertFile: null,
  mqttsKeyFile: null,
  mqttsCaFile: null,
  deviceMessageRate: 20,
  deviceMessageBurst: 100,
  deviceMaxClockSkewS: 3600,
  mqttAuthFailuresPerMinute: 20,
  mqttAuthFailedIdsPerMinute: 20,
  // A core fewer than the machine has (alarms need the event loop, PostgreSQL a core), at most
  // three of libuv's four threads (pg, the file system and sign-in share them).
  mqttAuthConcurrency: Math.max(1, Math.min(3, os.availableParallelism() - 1)),
  mqttAuthPerAddress: 1,
  mqttAuthQueue: 10_000,
  mqttAuthQueuePerAddress: 1_000,
  telemetryRetentionS: 2 * 365 * 24 * 3600,
  metricsToken: null,
  selfTestIntervalS: 60,
  selfTestLateS: 10,
  httpIdleTimeoutS: 60,
  httpHeadersTimeoutS: 10,
  httpRequestTimeoutS: 120,
  httpConnectionsPerAddress: 100,
  mqttPendingPerAddress: 100,
  mqttUrl: null,
  mqttClientId: `trygg-gateway-${os.hostname()}`.slice(0, 64),
  mqttShareGroup: 'trygg',
  mqttUsername: null,
  mqttPassword: null,
  dbConnectTimeoutMs: 5_000,
  dbStatementTimeoutMs: 10_000,
  smppHost: null,
  smppPort: 2775,
  smppTls: false,
  smppSystemId: 'trygg',
  smppPassword: '',
  smppSystemType: '',
  smsSender: 'Trygg',
  smsEncoding: 'auto',
  smppWindow: 10,
  nodeName: os.hostname().slice(0, 128),
  stormShare: 0.2,
  stormMinDevices: 10,
  stormWindowS: 300,
  flakyBelow: 0.9,
  userTestIntervalDays: 31,
};

function toNumber(v: string): unknown {
  return /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : v;
}
function toPort(v: string): unknown {
  return /^(off|none|disabled)$/i.test(v.trim()) ? null : toNumber(v);
}
const UNIT_S: Record<string, number> = { h: 3600, d: 86400, w: 7 * 86400, y: 365 * 86400 };
/** `730d`, `2y`, `12h`, `26w` → seconds; anything else is passed on for the schema to refuse. */
function toSeconds(v: string): unknown {
  const m = /^\s*(\d+)\s*([hdwy])\s*$/.exec(v);
  return m ? Number(m[1]) * (UNIT_S[m[2] ?? ''] ?? 0) : v;
}
/** `a, b` → ['a', 'b'] (origins, hosts). */
function toList(v: string): unknown {
  return v
    .split(',')
    .map((x) => x.trim().replace(/\/+$/, ''))
    .filter(Boolean);
}
function toBool(v: string): unknown {
  if (/^(1|true|yes)$/i.test(v)) return true;
  if (/^(0|false|no|)$/i.test(v)) return false;
  return v;
}

const validator = Compile(ConfigSchema);

/**
 * Builds the config from defaults, the environment, CLI flags and explicit overrides (tests),
 * in that order of precedence (last wins). Throws TRYGG_ERR_CONFIG naming the setting.
 */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  argv: readonly string[] = [],
  overrides: Partial<Config> = {},
): Config {
  const merged: Record<string, unknown> = { ...DEFAULTS };
  const source: Record<string, string> = {};
  for (const [name, { key, parse }] of Object.entries(ENV)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    merged[key] = parse(raw);
    source[key] = name;
  }
  for (const arg of argv) {
    if (arg === '--demo') merged.demo = true;
    else throw new TryggError('TRYGG_ERR_CONFIG', `Unknown option ${arg} (known: --demo)`);
  }
  Object.assign(merged, overrides);
  // Only on the embedded default (a developer's `npm start`): a production node's port is part
  // of its devices' configuration and must fail loudly rather than move.
  if (!('mqttPortMayMove' in overrides)) {
    merged.mqttPortMayMove = !source.mqttPort && !('mqttPort' in overrides) && !merged.databaseUrl && !merged.mqttUrl;
  }
  if (!validator.Check(merged)) {
    const err = validator.Errors(merged)[0];
    // The setting, not the element of a list setting (`/pushAllowOrigins/0`).
    const key = err?.instancePath.split('/')[1] ?? '';
    const name = source[key] ?? Object.keys(ENV).find((n) => ENV[n]?.key === key) ?? key;
    throw new TryggError(
      'TRYGG_ERR_CONFIG',
      `Invalid configuration: ${name} ${err?.message ?? 'is invalid'} (got ${JSON.stringify(merged[key])})`,
    );
  }
  if (merged.journalUrl && (!merged.journalTokenUrl || !merged.journalKeyFile)) {
    const missing = merged.journalTokenUrl ? 'TRYGG_JOURNAL_KEY_FILE' : 'TRYGG_JOURNAL_TOKEN_URL';
    throw new TryggError('TRYGG_ERR_CONFIG', `Invalid configuration: ${missing} is required when TRYGG_JOURNAL_URL is set`);
  }
  if ((merged.sipTlsCertFile === null) !== (merged.sipTlsKeyFile === null)) {
    const missing = merged.sipTlsCertFile ? 'TRYGG_SIP_TLS_KEY' : 'TRYGG_SIP_TLS_CERT';
    throw new TryggError('TRYGG_ERR_CONFIG', `Invalid configuration: ${missing} is required for SIP over TLS`);
  }
  if (merged.mqttsPort !== null && (!merged.mqttsCertFile || !merged.mqttsKeyFile)) {
    throw new TryggError(
      'TRYGG_ERR_CONFIG',
      'Invalid configuration: TRYGG_MQTTS_CERT_FILE and TRYGG_MQTTS_KEY_FILE are required when TRYGG_MQTTS_PORT is set',
    );
  }
  if (/[A-Za-z]/.test(merged.smsSender) && merged.smsSender.length > 11) {
    throw new TryggError('TRYGG_ERR_CONFIG', 'Invalid configuration: TRYGG_SMS_SENDER as a name has at most 11 characters');
  }
  if (merged.smppHost && !merged.smppPassword) {
    throw new TryggError(
      'TRYGG_ERR_CONFIG',
      'Invalid configuration: TRYGG_SMPP_PASSWORD is required when TRYGG_SMPP_HOST is set',
    );
  }
  if (merged.selfTestIntervalS > 0 && 2 * merged.selfTestLateS > merged.selfTestIntervalS) {
    throw new TryggError(
      'TRYGG_ERR_CONFIG',
      'Invalid configuration: TRYGG_SELFTEST_LATE_S must be at most half of TRYGG_SELFTEST_INTERVAL_S (a test alarm is missing after twice it)',
    );
  }
  if (merged.httpHeadersTimeoutS > merged.httpRequestTimeoutS) {
    throw new TryggError(
      'TRYGG_ERR_CONFIG',
      'Invalid configuration: TRYGG_HTTP_HEADERS_TIMEOUT_S must not be longer than TRYGG_HTTP_REQUEST_TIMEOUT_S',
    );
  }
  // npm runs workspace scripts in the workspace folder; INIT_CWD is where `npm start` was typed,
  // so a relative TRYGG_DATA_DIR means the same folder whichever way Trygg was started.
  const base = env.INIT_CWD ?? process.cwd();
  return { ...merged, dataDir: path.resolve(base, merged.dataDir) };
}
