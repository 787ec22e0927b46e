/** The config refuses wrong values at boot, naming the setting. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULTS, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('uses the documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ databaseUrl: null, port: 8080, mqttPort: 1883, demo: false });
    expect(c.dataDir).toBe(path.resolve(DEFAULTS.dataDir));
  });

  it('resolves a relative data dir from where npm was started', () => {
    expect(loadConfig({ INIT_CWD: '/srv/trygg' }).dataDir).toBe('/srv/trygg/.trygg');
  });

  it('maps the environment', () => {
    const c = loadConfig({
      DATABASE_URL: 'postgres://u@h/db',
      PORT: '9090',
      TRYGG_MQTT_PORT: '2883',
      TRYGG_DATA_DIR: '/tmp/x',
      TRYGG_DEMO: 'true',
    });
    expect(c).toMatchObject({ databaseUrl: 'postgres://u@h/db', port: 9090, mqttPort: 2883, dataDir: '/tmp/x', demo: true });
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT/],
    [{ PORT: '70000' }, /PORT/],
    [{ TRYGG_MQTT_PORT: '-1' }, /TRYGG_MQTT_PORT/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL/],
    [{ TRYGG_LOG_LEVEL: 'loud' }, /TRYGG_LOG_LEVEL/],
    [{ TRYGG_DEMO: 'perhaps' }, /TRYGG_DEMO/],
    [{ TRYGG_SIP_UDP_PORT: 'five' }, /TRYGG_SIP_UDP_PORT/],
    [{ TRYGG_SIP_TLS_CERT: '/x/cert.pem' }, /TRYGG_SIP_TLS_KEY/],
    [{ TRYGG_SIP_REALM: 'bad realm' }, /TRYGG_SIP_REALM/],
    [{ TRYGG_HTTP_HEADERS_TIMEOUT_S: '200' }, /TRYGG_HTTP_HEADERS_TIMEOUT_S/],
    [{ TRYGG_HTTP_CONNECTIONS_PER_ADDRESS: '-1' }, /TRYGG_HTTP_CONNECTIONS_PER_ADDRESS/],
  ])('refuses %o naming the setting', (env, name) => {
    expect(() => loadConfig(env)).toThrow(name);
  });

  it('maps the SIP listener settings, with off for a transport', () => {
    expect(loadConfig({})).toMatchObject({
      sipEnabled: true,
      sipUdpPort: 5060,
      sipTcpPort: 5060,
      sipTlsPort: 5061,
      sipRealm: 'trygg',
    });
    const c = loadConfig({ TRYGG_SIP_UDP_PORT: '15060', TRYGG_SIP_TCP_PORT: 'off', TRYGG_SIP: 'false' });
    expect(c).toMatchObject({ sipEnabled: false, sipUdpPort: 15060, sipTcpPort: null });
  });

  it('maps the push and delivery settings; an allow-listed push service must be an origin', () => {
    expect(loadConfig({})).toMatchObject({
      pushAllowOrigins: [],
      pushMaxSubscriptions: 10,
      notifyConcurrency: 64,
      notifyTimeoutS: 10,
      notifyMaxAttempts: 8,
    });
    const c = loadConfig({ TRYGG_PUSH_ALLOW_ORIGINS: 'http://127.0.0.1:9000/, https://push.test', TRYGG_NOTIFY_TIMEOUT_S: '3' });
    expect(c).toMatchObject({ pushAllowOrigins: ['http://127.0.0.1:9000', 'https://push.test'], notifyTimeoutS: 3 });
    expect(() => loadConfig({ TRYGG_PUSH_ALLOW_ORIGINS: 'http://127.0.0.1:9000/push/x' })).toThrow(/TRYGG_PUSH_ALLOW_ORIGINS/);
    expect(() => loadConfig({ TRYGG_PUSH_MAX_SUBSCRIPTIONS: '0' })).toThrow(/TRYGG_PUSH_MAX_SUBSCRIPTIONS/);
  });

  it('takes --demo and refuses unknown flags', () => {
    expect(loadConfig({}, ['--demo']).demo).toBe(true);
    expect(() => loadConfig({}, ['--dmeo'])).toThrow(/Unknown option --dmeo/);
  });

  it('needs the token endpoint and key with a journal URL, naming what is missing', () => {
    expect(() => loadConfig({ TRYGG_JOURNAL_URL: 'https://journal.example/fhir' })).toThrow(/TRYGG_JOURNAL_TOKEN_URL/);
    expect(() =>
      loadConfig({ TRYGG_JOURNAL_URL: 'https://journal.example/fhir', TRYGG_JOURNAL_TOKEN_URL: 'https://journal.example/token' }),
    ).toThrow(/TRYGG_JOURNAL_KEY_FILE/);
    expect(() => loadConfig({ TRYGG_JOURNAL_URL: 'ftp://x' })).toThrow(/TRYGG_JOURNAL_URL/);
    expect(loadConfig({}).journalDpop).toBe(true);
  });

  it('reads the gateway settings: retention as a duration, MQTTS files required with its port, the external broker', () => {
    expect(loadConfig({}).telemetryRetentionS).toBe(2 * 365 * 86400);
    expect(loadConfig({ TRYGG_TELEMETRY_RETENTION: '90d' }).telemetryRetentionS).toBe(90 * 86400);
    expect(loadConfig({ TRYGG_TELEMETRY_RETENTION: '12h' }).telemetryRetentionS).toBe(12 * 3600);
    expect(() => loadConfig({ TRYGG_TELEMETRY_RETENTION: 'forever' })).toThrow(/TRYGG_TELEMETRY_RETENTION/);
    expect(() => loadConfig({ TRYGG_MQTTS_PORT: '8883' })).toThrow(/TRYGG_MQTTS_CERT_FILE/);
    expect(
      loadConfig({ TRYGG_MQTTS_PORT: '8883', TRYGG_MQTTS_CERT_FILE: '/c.pem', TRYGG_MQTTS_KEY_FILE: '/k.pem' }).mqttsPort,
    ).toBe(8883);
    expect(() => loadConfig({ TRYGG_METRICS_TOKEN: 'short' })).toThrow(/TRYGG_METRICS_TOKEN/);
    expect(() => loadConfig({ TRYGG_MQTT_URL: 'http://broker' })).toThrow(/TRYGG_MQTT_URL/);
    expect(loadConfig({ TRYGG_MQTT_URL: 'mqtt://broker:1883', TRYGG_MQTT_SHARE_GROUP: 'trygg-prod' })).toMatchObject({
      mqttUrl: 'mqtt://broker:1883',
      mqttShareGroup: 'trygg-prod',
    });
  });

  it('reads the database bounds', () => {
    expect(loadConfig({})).toMatchObject({ dbConnectTimeoutMs: 5_000, dbStatementTimeoutMs: 10_000 });
    expect(loadConfig({ TRYGG_DB_CONNECT_TIMEOUT_MS: '2000', TRYGG_DB_STATEMENT_TIMEOUT_MS: '30000' })).toMatchObject({
      dbConnectTimeoutMs: 2_000,
      dbStatementTimeoutMs: 30_000,
    });
    expect(() => loadConfig({ TRYGG_DB_STATEMENT_TIMEOUT_MS: '0' })).toThrow(/TRYGG_DB_STATEMENT_TIMEOUT_MS/);
  });
});
