/**
 * "Ack means stored" under load and when the database goes away: concurrent QoS 1 events share
 * commits (group commit) yet each PUBACK follows its own row's commit; with the database cut
 * (a TCP proxy closed) the gateway stops acknowledging and reports not-ready, and when the
 * database returns the devices' resends arrive, each once, with nobody restarting anything.
 */
import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addFleet, type Fleet } from './support/fleet.js';
import { startTestService, type TestService } from './support/service.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';

let svc: TestService;
let db: pg.Pool;
let proxy: TcpProxy;
let fleet: Fleet;
beforeAll(async () => {
  proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 });
  svc = await startTestService({ databaseUrl: (url) => proxy.rewrite(url) });
  db = new pg.Pool({ connectionString: svc.db.url, max: 2 });
  fleet = await addFleet(svc.db.url, 'gc', 40);
});
afterAll(async () => {
  await db?.end();
  await svc?.stop();
  await proxy?.close();
});

const event = (id = randomUUID(), type = 'heartbeat') => JSON.stringify({ id, type, ts: new Date().toISOString() });
const stored = async (ids: string[]) =>
  Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM device_events WHERE event_id = ANY($1)', [ids])).rows[0]?.n);

async function metric(name: string): Promise<number> {
  const res = await fetch(`${svc.httpUrl}/metrics`);
  const text = await res.text();
  const line = text.split('\n').find((l) => l.startsWith(name + ' ') || l.startsWith(name + '{'));
  return line ? Number(line.split(' ').pop()) : 0; // a labelled series appears once observed
}

describe('ack after commit', () => {
  it('commits concurrent events together, and every PUBACK finds its row', async () => {
    const clients = await Promise.all(
      fleet.ids.map((id) =>
        mqtt.connectAsync(svc.mqttUrl, { clientId: id, username: id, password: fleet.secret, reconnectPeriod: 0 }),
      ),
    );
    const batchesBefore = await metric('trygg_commit_batch_size_count{store="inbox"}');
    const ids: string[] = [];
    await Promise.all(
      clients.map(async (c, i) => {
        const mine = Array.from({ length: 5 }, () => randomUUID());
        ids.push(...mine);
        await Promise.all(
          mine.map(async (id) => {
            await c.publishAsync(`trygg/v1/devices/${fleet.ids[i]}/events`, event(id), { qos: 1 });
            // Each PUBACK, the moment it arrives: the row is committed.
            expect(await stored([id])).toBe(1);
          }),
        );
        // A resend of the same ids in one burst: stored once, acknowledged again.
        await Promise.all(mine.map((id) => c.publishAsync(`trygg/v1/devices/${fleet.ids[i]}/events`, event(id), { qos: 1 })));
      }),
    );
    expect(await stored(ids)).toBe(ids.length);
    const batches = (await metric('trygg_commit_batch_size_count{store="inbox"}')) - batchesBefore;
    // 400 events (200 new, 200 resent) went in fewer commits than events: commits were shared.
    expect(batches).toBeLessThan(400);
    for (const c of clients) await c.endAsync();
  });

  it('stops acknowledging while the database is away, reports not-ready, and catches up when it returns', async () => {
    const deviceId = 'res-kari-button';
    const secret = svc.demo.devices.find((d) => d.id === deviceId)?.secret;
    const dev = await mqtt.connectAsync(svc.mqttUrl, {
      clientId: deviceId,
      username: deviceId,
      password: secret,
      reconnectPeriod: 300,
      reconnectOnConnackError: true, // a device keeps trying after CONNACK 3 (server unavailable)
      connectTimeout: 2_000,
    });
    const before = randomUUID();
    await dev.publishAsync(`trygg/v1/devices/${deviceId}/events`, event(before, 'alarm.button'), { qos: 1 });
    expect(await stored([before])).toBe(1);
    expect((await fetch(`${svc.httpUrl}/readyz`)).status).toBe(200);

    await proxy.close();
    const during = randomUUID();
    let acked = false;
    const closed = new Promise<void>((resolve) => dev.once('close', () => resolve()));
    const publish = dev.publishAsync(`trygg/v1/devices/${deviceId}/events`, event(during, 'alarm.button'), { qos: 1 });
    void publish.then(() => (acked = true));
    await closed; // the gateway closed the connection instead of acknowledging
    expect(acked).toBe(false);
    await expect.poll(async () => (await fetch(`${svc.httpUrl}/readyz`)).status, { timeout: 10_000 }).toBe(503);
    expect(svc.logs.some((l) => l.code === 'TRYGG_ERR_STORE_UNAVAILABLE' && l.deviceId === deviceId)).toBe(true);
    // Reconnects are refused with "server unavailable" while the database is away.
    await expect.poll(() => svc.logs.some((l) => l.msg === 'device auth failed' && l.clientId === deviceId)).toBe(true);
    expect(acked).toBe(false);
    expect(await stored([during])).toBe(0);

    await proxy.open();
    await publish; // the device's own resend, after it reconnected
    expect(await stored([during])).toBe(1);
    await expect.poll(async () => (await fetch(`${svc.httpUrl}/readyz`)).status, { timeout: 10_000 }).toBe(200);
    // The engine applied it too: the alarm is open.
    await expect
      .poll(async () => (await db.query(`SELECT 1 FROM alarms WHERE device_id = $1 AND state = 'open'`, [deviceId])).rowCount, {
        timeout: 10_000,
      })
      .toBe(1);
    await dev.endAsync();
  });
});
