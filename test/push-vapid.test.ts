/**
 * The local push service's VAPID check (RFC 8292, simulators/src/push-service) against Trygg's
 * VAPID header: Trygg's header passes; the same header for another origin, a tampered signature,
 * a key the subscription was not made for, an expiry more than 24 h ahead or in the past, and a
 * non-ES256 token are refused. And Trygg signs once per push-service origin, renewing shortly
 * before expiry.
 */
import { describe, expect, it } from 'vitest';
import webpush from 'web-push';
import { SignJWT, importJWK } from 'jose';
import { VapidAuth } from '@trygg/dashboard';
import { VapidError, verifyVapid } from '@trygg/simulators';

const keys = webpush.generateVAPIDKeys();
const other = webpush.generateVAPIDKeys();
const nowS = () => Math.floor(Date.now() / 1000);
const refused = async (p: Promise<unknown>, status: number) => {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(VapidError);
  expect((err as VapidError).status).toBe(status);
};

/** A VAPID header signed with our own hand, for the cases Trygg never produces. */
async function handMade(claims: Record<string, unknown>, alg = 'ES256'): Promise<string> {
  const pub = Buffer.from(keys.publicKey, 'base64url');
  const key = await importJWK(
    {
      kty: 'EC',
      crv: 'P-256',
      x: pub.subarray(1, 33).toString('base64url'),
      y: pub.subarray(33).toString('base64url'),
      d: keys.privateKey,
    },
    'ES256',
  );
  const t = await new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT' }).sign(key);
  return `vapid t=${t}, k=${keys.publicKey}`;
}

describe('VAPID (RFC 8292)', () => {
  it("accepts Trygg's header at the push service it was made for", async () => {
    const auth = new VapidAuth(keys, 'mailto:drift@kommune.no');
    const header = auth.headerFor('https://push.example.net/send/abc');
    await expect(verifyVapid(header, 'https://push.example.net', keys.publicKey, nowS())).resolves.toBe(
      'mailto:drift@kommune.no',
    );
  });

  it('refuses another audience, a tampered signature, a key the subscription was not made for', async () => {
    const header = new VapidAuth(keys, 'mailto:drift@kommune.no').headerFor('https://push.example.net/send/abc');
    await refused(verifyVapid(header, 'https://other.example.org', keys.publicKey, nowS()), 401);
    const tampered = header.replace(
      /t=([^,]+)/,
      (_m, t: string) => `t=${t.slice(0, -4)}${t.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`,
    );
    await refused(verifyVapid(tampered, 'https://push.example.net', keys.publicKey, nowS()), 401);
    await refused(verifyVapid(header, 'https://push.example.net', other.publicKey, nowS()), 403);
    await refused(verifyVapid(undefined, 'https://push.example.net', keys.publicKey, nowS()), 401);
    await refused(verifyVapid('WebPush abc', 'https://push.example.net', keys.publicKey, nowS()), 401);
  });

  it('refuses an expiry too far ahead, one already past, and a missing one', async () => {
    const aud = 'https://push.example.net';
    await refused(
      verifyVapid(await handMade({ aud, exp: nowS() + 25 * 3600, sub: 'mailto:a@b.no' }), aud, keys.publicKey, nowS()),
      401,
    );
    await refused(verifyVapid(await handMade({ aud, exp: nowS() - 10, sub: 'mailto:a@b.no' }), aud, keys.publicKey, nowS()), 401);
    await refused(verifyVapid(await handMade({ aud, sub: 'mailto:a@b.no' }), aud, keys.publicKey, nowS()), 401);
    await refused(verifyVapid(await handMade({ aud, exp: nowS() + 60, sub: 'ftp://x' }), aud, keys.publicKey, nowS()), 401);
    await expect(
      verifyVapid(await handMade({ aud, exp: nowS() + 60, sub: 'mailto:a@b.no' }), aud, keys.publicKey, nowS()),
    ).resolves.toBe('mailto:a@b.no');
  });

  it('signs once per push-service origin and renews an hour before the 12 h expiry', () => {
    let now = Date.UTC(2026, 0, 1);
    const auth = new VapidAuth(keys, 'mailto:drift@kommune.no', () => now);
    const a = auth.headerFor('https://fcm.googleapis.com/fcm/send/one');
    expect(auth.headerFor('https://fcm.googleapis.com/fcm/send/two')).toBe(a);
    expect(auth.headerFor('https://updates.push.services.mozilla.com/wpush/v2/x')).not.toBe(a);
    expect(auth.cachedOrigins).toBe(2);
    now += 10 * 3600 * 1000;
    expect(auth.headerFor('https://fcm.googleapis.com/fcm/send/one')).toBe(a);
    now += 1.5 * 3600 * 1000;
    expect(auth.headerFor('https://fcm.googleapis.com/fcm/send/one')).not.toBe(a);
  });
});
