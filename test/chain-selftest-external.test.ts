/**
 * The self-test in external broker mode (issue 20), against the Mosquitto on this machine
 * (127.0.0.1:1883) reached through a TCP proxy the test can cut: the test alarm goes through the
 * broker like a device's; with the broker unreachable it goes missing and the system alarm is
 * raised within an interval; with the broker back it clears itself.
 */
import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from './support/service.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';

const BROKER = process.env.TRYGG_TEST_MOSQUITTO ?? 'mqtt://127.0.0.1:1883';
const run = randomBytes(4).toString('hex');
const clientId = `trygg-test-chain-${run}`;
const POLL = { timeout: 60_000, interval: 200 };

let broker: TcpProxy;
let svc: TestService;
let db: pg.Pool;

beforeAll(async () => {
  const u = new URL(BROKER);
  broker = await startTcpProxy({ host: u.hostname, port: Number(u.port || 1883) });
  svc = await startTestService({
    config: {
      mqttUrl: broker.rewrite(BROKER).replace(/\/$/, ''),
      mqttClientId: clientId,
      mqttShareGroup: `g${run}`,
      selfTestIntervalS: 4,
      selfTestLateS: 2,
    },
  });
  db = new pg.Pool({ connectionString: svc.db.url, max: 2 });
}, 90_000);
afterAll(async () => {
  await db?.end();
  await svc?.stop();
  await broker?.close();
  // Leave no persistent session behind in the machine's Mosquitto.
  const c = await mqtt.connectAsync(BROKER, { clientId, clean: true, reconnectPeriod: 0 });
  await c.endAsync();
});

const external = () => svc.trygg.chain?.status().ingresses.find((i) => i.ingress === 'external-broker');
const kinds = async () =>
  (await db.query<{ kind: string }>("SELECT kind FROM service_events WHERE kind LIKE 'chain-%' ORDER BY id")).rows.map(
    (r) => r.kind,
  );

describe('the self-test through an external broker', () => {
  it('gets through the broker, raises the system alarm while the broker is away, and clears it when it is back', async () => {
    expect(svc.trygg.gateway).toBeNull();
    await expect.poll(() => external()?.state, POLL).toBe('ok');
    expect(svc.trygg.chain?.status().ingresses.map((i) => i.ingress)).not.toContain('mqtt');
    expect(external()?.hops.live).toEqual(expect.any(Number));

    await broker.close();
    await expect.poll(() => external()?.state, POLL).toBe('failing');
    await expect.poll(kinds, POLL).toEqual(['chain-failing']);

    await broker.open();
    await expect.poll(() => svc.trygg.chain?.status().state, POLL).toBe('ok');
    await expect.poll(kinds, POLL).toEqual(['chain-failing', 'chain-restored']);
  }, 180_000);
});
