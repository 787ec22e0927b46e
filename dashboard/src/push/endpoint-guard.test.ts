/** Which addresses a push endpoint may resolve to, and what the guard says about the rest. */
import { describe, expect, it } from 'vitest';
import { EndpointGuard, nonPublicReason } from './endpoint-guard.js';

describe('nonPublicReason', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['0.0.0.0', '"this network"'],
    ['::', 'unspecified or IPv4-compatible'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['::ffff:192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fd00:ec2::254', 'unique-local'],
    ['fc00::1', 'unique-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.254', 'carrier-grade NAT'],
    ['224.0.0.251', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['64:ff9b::a00:1', 'NAT64 (it may map to any IPv4 address)'],
    ['2002:7f00:1::', '6to4 (it may embed any IPv4 address)'],
    ['2001:db8::1', 'documentation'],
  ])('%s is %s', (address, reason) => {
    expect(nonPublicReason(address)).toBe(reason);
  });

  it.each(['142.250.74.106', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2a00:1450:400f:80d::200a', '2001:4860:4860::8888'])(
    '%s is public',
    (address) => {
      expect(nonPublicReason(address)).toBeNull();
    },
  );
});

describe('EndpointGuard', () => {
  const resolving = (map: Record<string, string[]>) =>
    new EndpointGuard({
      allowOrigins: ['http://127.0.0.1:9000'],
      resolve: async (h) => (map[h] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    });

  it('takes https on 443 at a public host', async () => {
    const g = resolving({ 'fcm.googleapis.com': ['142.250.74.106', '2a00:1450:400f:80d::200a'] });
    expect((await g.check('https://fcm.googleapis.com/fcm/send/abc')).host).toBe('fcm.googleapis.com');
    expect((await g.check('https://fcm.googleapis.com:443/x')).host).toBe('fcm.googleapis.com');
  });

  it.each([
    ['not a url', /not a URL/],
    ['http://fcm.googleapis.com/x', /https/],
    ['https://fcm.googleapis.com:8443/x', /port/],
    ['https://user:pw@fcm.googleapis.com/x', /credentials/],
    ['https://127.0.0.1/x', /127\.0\.0\.1 is loopback/],
    ['https://2130706433/x', /127\.0\.0\.1 is loopback/],
    ['https://[::1]/x', /::1 is loopback/],
    ['https://[::ffff:169.254.169.254]/x', /link-local/],
    ['https://169.254.169.254/latest/meta-data', /link-local/],
    ['https://mixed.example/x', /mixed\.example resolves to 10\.0\.0\.7 is private/],
    ['https://nowhere.example/x', /does not resolve/],
    ['http://127.0.0.1:9001/x', /https/],
  ])('refuses %s', async (endpoint, why) => {
    const g = resolving({ 'fcm.googleapis.com': ['142.250.74.106'], 'mixed.example': ['142.250.74.106', '10.0.0.7'] });
    await expect(g.check(endpoint)).rejects.toMatchObject({
      code: 'TRYGG_ERR_PUSH_ENDPOINT_REFUSED',
      message: expect.stringMatching(why),
    });
  });

  it('takes an allow-listed origin as it is, and only that origin', async () => {
    const g = resolving({});
    expect((await g.check('http://127.0.0.1:9000/push/1')).port).toBe('9000');
    await expect(g.check('http://127.0.0.1:9001/push/1')).rejects.toMatchObject({ code: 'TRYGG_ERR_PUSH_ENDPOINT_REFUSED' });
  });
});
