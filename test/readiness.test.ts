/**
 * Health that tells the truth (issue 17, item 5). A database that hangs — connections accepted,
 * nothing answered, as a TCP proxy that stops forwarding plays it — makes `/readyz` answer 503
 * instead of hanging, and sign-in 503 `TRYGG_ERR_STORE_UNAVAILABLE` instead of 500; both recover
 * when it answers again. A database that answers yet fails every store (a full disk: PostgreSQL
 * answers `SELECT` and refuses every insert with SQLSTATE 53100) makes `/readyz` 503 once the
 * devices' events keep failing, and ready again when a resend is stored.
 */
import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from './support/service.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';

interface Ready {
  status: string;
  database: boolean;
  store: boolean;
  broker: boolean;
}

const readyz = async (svc: TestService) => {
  const res = await fetch(`${svc.httpUrl}/readyz`);
  return { status: res.status, body: (await res.json()) as Ready };
};

const signIn = (svc: TestService) => {
  const user = svc.demo.users.find((u) => u.username === 'operator');
  return svc.api<{ code?: string }>('POST', '/api/auth/login', null, { username: 'operator', password: user?.password });
};

describe('a hung database', () => {
  let svc: TestService;
  let proxy: TcpProxy;
  afterAll(async () => {
    proxy?.resume();
    await svc?.stop();
    await proxy?.close();
  });

  it('answers /readyz 503 and sign-in 503 instead of hanging or 500, and recovers when it answers again', async () => {
    proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 });
    // Short bounds keep the test quick; the behaviour is the same with the defaults.
    svc = await startTestService({
      databaseUrl: (url) => proxy.rewrite(url),
      config: { dbConnectTimeoutMs: 1_000, dbStatementTimeoutMs: 1_000 },
    });
    expect(await readyz(svc)).toMatchObject({ status: 200, body: { status: 'ready', database: true, store: true } });
    expect((await signIn(svc)).status).toBe(200);

    proxy.hang();
    // Many at once, as a load balancer and a monitor would ask: every one is answered.
    const answers = await Promise.all(Array.from({ length: 5 }, () => readyz(svc)));
    for (const a of answers) expect(a).toMatchObject({ status: 503, body: { status: 'not-ready', database: false } });
    // Sign-in: one on a connection the pool already had (the statement is never answered), then
    // more than the pool had idle, so new connections are tried too (never completed).
    const refused = await Promise.all(Array.from({ length: 6 }, () => signIn(svc)));
    for (const r of refused) expect(r).toMatchObject({ status: 503, body: { code: 'TRYGG_ERR_STORE_UNAVAILABLE' } });

    proxy.resume();
    await expect.poll(async () => (await readyz(svc)).status, { timeout: 15_000 }).toBe(200);
    await expect.poll(async () => (await signIn(svc)).status, { timeout: 15_000, interval: 1_000 }).toBe(200);
  });
});

describe('a full disk', () => {
  let svc: TestService;
  let admin: pg.Client;
  const clients: mqtt.MqttClient[] = [];
  afterEach(async () => {
    for (const c of clients) c.end(true);
    await admin?.end();
    await svc?.stop();
  });

  it('makes /readyz 503 once event stores keep failing, and ready again when a resend is stored', async () => {
    svc = await startTestService();
    admin = new pg.Client({ connectionString: svc.db.url });
    await admin.connect();
    expect(await readyz(svc)).toMatchObject({ status: 200, body: { store: true } });

    // What a full disk looks like from the service: every insert refused with 53100 (disk_full),
    // while reads go on.
    await admin.query(`
      CREATE FUNCTION test_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full';
      END $$;
      CREATE TRIGGER test_disk_full BEFORE INSERT ON device_events FOR EACH STATEMENT EXECUTE FUNCTION test_disk_full();
      CREATE TRIGGER test_disk_full BEFORE INSERT ON telemetry FOR EACH STATEMENT EXECUTE FUNCTION test_disk_full();`);

    const deviceId = 'res-kari-button';
    const dev = await mqtt.connectAsync(svc.mqttUrl, {
      clientId: deviceId,
      username: deviceId,
      password: svc.demo.devices.find((d) => d.id === deviceId)?.secret,
      reconnectPeriod: 200,
      reconnectOnConnackError: true,
    });
    clients.push(dev);
    const eventId = randomUUID();
    // Not acknowledged while stores fail; mqtt.js resends it after each reconnect.
    const published = dev.publishAsync(
      `trygg/v1/devices/${deviceId}/events`,
      JSON.stringify({ id: eventId, type: 'alarm.button', ts: new Date().toISOString() }),
      { qos: 1 },
    );
    await expect.poll(async () => (await readyz(svc)).status, { timeout: 15_000 }).toBe(503);
    // The database itself answers: it is the stores that fail.
    expect((await readyz(svc)).body).toMatchObject({ status: 'not-ready', database: true, store: false, broker: true });

    await admin.query(`DROP TRIGGER test_disk_full ON device_events; DROP TRIGGER test_disk_full ON telemetry`);
    await published; // the device's own resend, stored and acknowledged
    const { rows } = await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM device_events WHERE event_id = $1`, [
      eventId,
    ]);
    expect(rows[0]?.n).toBe(1);
    expect(await readyz(svc)).toMatchObject({ status: 200, body: { status: 'ready', store: true } });
  });
});
