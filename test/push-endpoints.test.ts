/**
 * Where a push endpoint may point, from a signed-in person's side (issue 17, item 11): a push
 * subscription is a URL the server will POST to, so it is the shape of a blind SSRF. Endpoints at
 * loopback, private, link-local, unique-local, CGNAT or multicast addresses — literally or by
 * name, or by a name that changes its answer after the subscription was saved (DNS rebinding) —
 * are refused, at subscribe and at send; only the allow-listed local push service (the faithful
 * double, on loopback) is taken as it is. A person has at most 10 devices, and keys that are not a
 * P-256 point or a 16-octet secret are refused at subscribe.
 */
import { createECDH, randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalPushService } from '@trygg/simulators';
import { startTestService, type TestService } from './support/service.js';

/** DNS as the service sees it: a few names the test controls, the machine's resolver for the rest. */
const names = new Map<string, string[]>([
  ['push.example.net', ['142.250.74.106', '2a00:1450:400f:80d::200a']],
  ['intranet.example.net', ['10.0.0.5']],
  ['mixed.example.net', ['142.250.74.106', '192.168.1.1']],
  ['rebind.example.net', ['142.250.74.106']],
]);

let svc: TestService;
let push: LocalPushService;
beforeAll(async () => {
  push = new LocalPushService();
  await push.start();
  svc = await startTestService({
    config: { pushAllowOrigins: [push.origin], notifyTimeoutS: 2, notifyMaxAttempts: 2 },
    start: {
      engine: { sweepIntervalMs: 300 },
      pushResolve: async (host) => {
        const known = names.get(host);
        if (known) return known.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
        return lookup(host, { all: true });
      },
    },
  });
});
afterAll(async () => {
  await svc?.stop();
  await push?.stop();
});

/** Keys as a browser makes them. */
function keys(): { p256dh: string; auth: string } {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') };
}

async function subscribe(username: string, device: string, endpoint: string, k = keys()) {
  const { token } = await svc.login(username);
  return svc.api<{ code?: string; message?: string; replaced?: string[] }>('PUT', `/api/push/subscriptions/${device}`, token, {
    endpoint,
    keys: k,
    expirationTime: null,
  });
}
const devicesOf = async (username: string) => {
  const { token } = await svc.login(username);
  return (await svc.api<{ devices: { device: string }[] }>('GET', '/api/push/subscriptions', token)).body.devices.map(
    (d) => d.device,
  );
};

describe('push endpoints', () => {
  it.each([
    ['Trygg itself', () => `https://127.0.0.1:${svc.trygg.ports.http}/api/alarms`, /must use the https port/],
    ['the database', () => 'https://127.0.0.1:5432/', /port/],
    ['loopback', () => 'https://127.0.0.1/x', /127\.0\.0\.1 is loopback/],
    ['loopback, as a number', () => 'https://2130706433/x', /127\.0\.0\.1 is loopback/],
    ['IPv6 loopback', () => 'https://[::1]/x', /::1 is loopback/],
    ['IPv4-mapped loopback', () => 'https://[::ffff:127.0.0.1]/x', /is loopback/],
    ['localhost', () => 'https://localhost/x', /localhost resolves to .* is loopback/],
    ['the cloud metadata service', () => 'https://169.254.169.254/latest/meta-data/', /link-local/],
    ['a private address', () => 'https://10.0.0.5/x', /private/],
    ['a name for a private address', () => 'https://intranet.example.net/x', /intranet\.example\.net resolves to 10\.0\.0\.5/],
    ['a name with one private address among public ones', () => 'https://mixed.example.net/x', /192\.168\.1\.1 is private/],
    ['172.16/12', () => 'https://172.20.1.1/x', /private/],
    ['carrier-grade NAT', () => 'https://100.64.0.1/x', /carrier-grade NAT/],
    ['IPv6 link-local', () => 'https://[fe80::1]/x', /link-local/],
    ['IPv6 unique-local', () => 'https://[fd00::1]/x', /unique-local/],
    ['multicast', () => 'https://224.0.0.1/x', /multicast/],
    ['plain http', () => 'http://push.example.net/x', /must be https/],
    ['another port of the allow-listed host', () => `http://127.0.0.1:${svc.trygg.ports.http}/push/x`, /must be https/],
    ['a name that does not resolve', () => 'https://nowhere.invalid/x', /does not resolve/],
  ])('refuses an endpoint at %s', async (_what, endpoint, why) => {
    const res = await subscribe('tech', 'phone', endpoint());
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('TRYGG_ERR_PUSH_ENDPOINT_REFUSED');
    expect(res.body.message).toMatch(why);
    expect(await devicesOf('tech')).toEqual([]);
  });

  it('takes a public https push service and the allow-listed local one', async () => {
    expect((await subscribe('tech', 'phone', 'https://push.example.net/wpush/v2/abc')).status).toBe(200);
    expect((await subscribe('tech', 'laptop', push.subscribe('BAAA').json.endpoint)).status).toBe(200);
    expect((await devicesOf('tech')).sort()).toEqual(['laptop', 'phone']);
  });

  it('refuses at send time a name that now resolves inside (DNS rebinding), and a stored endpoint from before', async () => {
    // Public when Ola subscribed …
    expect((await subscribe('ola', 'phone', 'https://rebind.example.net/push/1')).status).toBe(200);
    // … and an endpoint stored before these rules existed.
    await svc.trygg.pool.query(
      `INSERT INTO push_subscriptions (id, user_id, device, endpoint, p256dh, auth)
       VALUES ('legacy', 'user-ola', 'old-phone', 'https://127.0.0.1:5432/', $1, $2)`,
      [keys().p256dh, keys().auth],
    );
    names.set('rebind.example.net', ['127.0.0.1']);
    const alarm = await svc.raiseAlarm('res-kari-button');
    const row = async () =>
      (
        await svc.trygg.pool.query<{ state: string; attempts: number; channel: string | null }>(
          `SELECT state, attempts, channel FROM notifications WHERE alarm_id = $1 AND recipient->>'userId' = 'user-ola'`,
          [alarm.id],
        )
      ).rows[0];
    const pushFailed = async () =>
      (
        await svc.trygg.pool.query<{ reason: string }>(
          `SELECT d.reason FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id
            WHERE d.alarm_id = $1 AND n.recipient->>'userId' = 'user-ola' AND d.channel = 'push' AND d.state = 'failed'`,
          [alarm.id],
        )
      ).rows.map((r) => r.reason);
    // Refused for good on both devices before any connection: push failed at once (the first
    // attempt, not retried), and Ola's next channel (SMS, his number) has it.
    await expect.poll(row).toMatchObject({ state: 'awaiting', attempts: 1, channel: 'sms' });
    expect(await pushFailed()).toHaveLength(1);
    const reason = (await pushFailed())[0] ?? '';
    expect(reason).toContain('endpoint: rebind.example.net resolves to 127.0.0.1 is loopback');
    expect(reason).toContain('endpoint must use the https port (443)');
  });

  it('keeps at most 10 devices per person, replacing the oldest', async () => {
    const replaced: string[] = [];
    for (let i = 0; i < 60; i++) {
      const res = await subscribe('staff1', `device-${i}`, 'https://push.example.net/wpush/v2/' + String(i));
      expect(res.status).toBe(200);
      replaced.push(...(res.body.replaced ?? []));
    }
    expect((await devicesOf('staff1')).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `device-${50 + i}`).sort());
    expect(replaced).toEqual(Array.from({ length: 50 }, (_, i) => `device-${i}`));
    // Registering a device again replaces only itself.
    const again = await subscribe('staff1', 'device-55', 'https://push.example.net/wpush/v2/55b');
    expect(again.body.replaced).toEqual([]);
    expect(await devicesOf('staff1')).toHaveLength(10);
  });

  it('refuses keys Trygg could not encrypt for', async () => {
    const good = keys();
    const point = Buffer.from(good.p256dh, 'base64url');
    point[64] = (point[64] ?? 0) ^ 1;
    const cases: [{ p256dh: string; auth: string }, RegExp][] = [
      [{ ...good, p256dh: point.toString('base64url') }, /keys\.p256dh is not a point on P-256/],
      [{ ...good, p256dh: Buffer.alloc(65, 9).toString('base64url') }, /uncompressed P-256 point/],
      [{ ...good, auth: `${good.auth.slice(0, 21)}B` }, /keys\.auth is not base64url/],
    ];
    for (const [k, why] of cases) {
      const res = await subscribe('staff2', 'phone', 'https://push.example.net/wpush/v2/k', k);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('TRYGG_ERR_PUSH_KEYS_INVALID');
      expect(res.body.message).toMatch(why);
    }
    expect(await devicesOf('staff2')).toEqual([]);
  });
});
