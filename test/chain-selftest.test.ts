/**
 * The chain proves itself (issue 20): with a short interval, the self-test sends a test alarm
 * through the embedded MQTT broker and the SIP listener (UDP and TCP) as a device would, and
 * each must reach the live channel. Stopping a listener raises the system alarm (the service's
 * own event, the live banner state, a warning) within an interval, and restarting it clears it.
 * A test alarm never reaches a person: no alarm in the queue, none in a relative's or staff's app,
 * no statistics, no notification, no journal entry, and its devices are in no device list.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChainStatus, Notification } from '@trygg/alarm-core';
import { startTestService, type TestService } from './support/service.js';

let svc: TestService;
let db: pg.Pool;
const notified: Notification[] = [];
const DEADLINE = { timeout: 60_000, interval: 200 };

beforeAll(async () => {
  svc = await startTestService({
    config: { selfTestIntervalS: 6, selfTestLateS: 3 },
    start: {
      channels: {
        push: {
          kind: 'push',
          send: async (n: Notification) => {
            notified.push(n);
            return { ref: null, state: 'delivered' as const };
          },
        },
      },
    },
  });
  db = new pg.Pool({ connectionString: svc.db.url, max: 2 });
}, 60_000);
afterAll(async () => {
  await db?.end();
  await svc?.stop();
});

const chain = () => {
  const c = svc.trygg.chain;
  if (!c) throw new Error('the self-test is off');
  return c;
};
const stateOf = (ingress: string) =>
  chain()
    .status()
    .ingresses.find((i) => i.ingress === ingress)?.state;
const serviceEvents = async () =>
  (
    await db.query<{ kind: string; ingresses: string[] }>(
      "SELECT kind, ingresses FROM service_events WHERE kind LIKE 'chain-%' ORDER BY id",
    )
  ).rows;

describe('the chain proves itself with synthetic test alarms', () => {
  it('proves MQTT and SIP over UDP and TCP, timing every hop, and exposes it in /metrics', async () => {
    await expect.poll(() => chain().status().state, DEADLINE).toBe('ok');
    const s: ChainStatus = chain().status();
    expect(s.ingresses.map((i) => i.ingress).sort()).toEqual(['mqtt', 'sip-tcp', 'sip-udp']);
    for (const i of s.ingresses) {
      expect(i.lastSuccessAt).not.toBeNull();
      expect(i.error).toBeNull();
      for (const hop of ['ack', 'stored', 'applied', 'live'] as const) expect(i.hops[hop]).toEqual(expect.any(Number));
    }
    const metrics = await (await fetch(`${svc.httpUrl}/metrics`)).text();
    for (const ingress of ['mqtt', 'sip-udp', 'sip-tcp']) {
      expect(metrics).toMatch(new RegExp(`trygg_chain_last_success_timestamp_seconds\\{ingress="${ingress}"\\} \\d`));
      expect(metrics).toMatch(new RegExp(`trygg_chain_hop_seconds_count\\{ingress="${ingress}",hop="live"\\} [1-9]`));
    }
    expect(await serviceEvents()).toEqual([]);
  }, 90_000);

  it('tells the operators of each test alarm on the live channel', async () => {
    const { token } = await svc.login('operator');
    const socket = await svc.operatorSocket(token);
    const probes: string[] = [];
    socket.on('test:probe', (p) => probes.push(p.deviceId));
    await expect.poll(() => new Set(probes).size, DEADLINE).toBeGreaterThanOrEqual(3);
    expect(probes.every((id) => id.startsWith('trygg-selftest-'))).toBe(true);
    socket.disconnect();
  });

  it('never shows a test alarm to a person: no alarm, no app, no statistics, no notification, no journal, no device list', async () => {
    const { rows } = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM device_events WHERE device_id LIKE 'trygg-selftest-%'`,
    );
    expect(Number(rows[0]?.n)).toBeGreaterThan(0);
    const counts = await db.query<{ alarms: string; journal: string; notifications: string }>(
      `SELECT (SELECT count(*) FROM alarms WHERE device_id LIKE 'trygg-selftest-%') AS alarms,
              (SELECT count(*) FROM journal_outbox) AS journal,
              (SELECT count(*) FROM notifications) AS notifications`,
    );
    expect(counts.rows[0]).toEqual({ alarms: '0', journal: '0', notifications: '0' });
    expect(notified).toEqual([]);
    const op = await svc.login('operator');
    const queue = await svc.api<{ alarms: unknown[] }>('GET', '/api/alarms', op.token);
    expect(queue.status).toBe(200);
    expect(queue.body.alarms).toEqual([]);
    const admin = await svc.login('admin');
    const stats = await svc.api<{ sites: { total?: number }[] }>('GET', '/api/statistics', admin.token);
    expect(stats.status).toBe(200);
    expect(JSON.stringify(stats.body)).not.toMatch(/selftest/);
    const tech = await svc.login('tech');
    const devices = await svc.api<unknown[]>('GET', '/api/devices', tech.token);
    expect(devices.status).toBe(200);
    expect(JSON.stringify(devices.body)).not.toMatch(/trygg-selftest/);
    const relative = await svc.login('ola');
    const own = await svc.api<unknown>('GET', '/api/relative/alarms', relative.token);
    expect(own.status).toBe(200);
    expect(JSON.stringify(own.body)).not.toMatch(/selftest/);
    const staff = await svc.login('staff1');
    const floor = await svc.api<unknown>('GET', '/api/staff/overview', staff.token);
    expect(floor.status).toBe(200);
    expect(JSON.stringify(floor.body)).not.toMatch(/selftest/);
  });

  it('raises the system alarm when the MQTT listener stops, and clears it when it is back', async () => {
    const { token } = await svc.login('admin');
    const socket = await svc.operatorSocket(token);
    const banner: ChainStatus[] = [];
    socket.on('chain:status', (s) => banner.push(s));
    const gateway = svc.trygg.gateway;
    if (!gateway) throw new Error('no embedded broker');
    await gateway.stop();
    await expect.poll(() => stateOf('mqtt'), DEADLINE).toBe('failing');
    expect(chain().status().state).toBe('failing');
    await expect.poll(serviceEvents, DEADLINE).toEqual([{ kind: 'chain-failing', ingresses: ['mqtt'] }]);
    await expect.poll(() => banner.at(-1)?.state, DEADLINE).toBe('failing');
    expect(svc.logs.some((l) => l.code === 'TRYGG_ERR_CHAIN_BROKEN' && l.ingress === 'mqtt')).toBe(true);
    await gateway.start();
    await expect.poll(() => chain().status().state, DEADLINE).toBe('ok');
    await expect
      .poll(async () => (await serviceEvents()).map((e) => e.kind), DEADLINE)
      .toEqual(['chain-failing', 'chain-restored']);
    await expect.poll(() => banner.at(-1)?.state, DEADLINE).toBe('ok');
    socket.disconnect();
  }, 120_000);

  it('raises it when the SIP listener stops, and clears it when it is back', async () => {
    const before = (await serviceEvents()).length;
    const scaip = svc.trygg.scaip;
    if (!scaip) throw new Error('no SIP listener');
    await scaip.stop();
    await expect.poll(() => stateOf('sip-udp'), DEADLINE).toBe('failing');
    await expect.poll(async () => (await serviceEvents()).slice(before)[0]?.kind, DEADLINE).toBe('chain-failing');
    await scaip.start();
    await expect.poll(() => chain().status().state, DEADLINE).toBe('ok');
    await expect
      .poll(async () => (await serviceEvents()).slice(before).map((e) => e.kind), DEADLINE)
      .toEqual(['chain-failing', 'chain-restored']);
  });
});
