/** A subscription's keys are checked at subscribe: a point on P-256 and a 16-octet secret. */
import { createECDH, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { validateSubscriptionKeys } from './subscription-keys.js';

const ua = createECDH('prime256v1');
ua.generateKeys();
const good = { p256dh: ua.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') };
const offCurve = Buffer.from(ua.getPublicKey());
offCurve[64] = (offCurve[64] ?? 0) ^ 1;

describe('validateSubscriptionKeys', () => {
  it('takes what a browser makes, padded or not', () => {
    expect(() => validateSubscriptionKeys(good)).not.toThrow();
    expect(() => validateSubscriptionKeys({ p256dh: `${good.p256dh}=`, auth: `${good.auth}==` })).not.toThrow();
  });

  it.each([
    ['a point off the curve', { ...good, p256dh: offCurve.toString('base64url') }, /not a point on P-256/],
    ['a compressed point', { ...good, p256dh: ua.getPublicKey(null, 'compressed').toString('base64url') }, /uncompressed/],
    ['65 octets not starting 0x04', { ...good, p256dh: Buffer.alloc(65, 7).toString('base64url') }, /uncompressed/],
    [
      'the point at infinity padded out',
      { ...good, p256dh: Buffer.concat([Buffer.from([4]), Buffer.alloc(64)]).toString('base64url') },
      /not a point/,
    ],
    ['standard base64', { ...good, p256dh: `${good.p256dh.slice(0, -2)}+/` }, /keys.p256dh is not base64url/],
    ['a 15-octet secret', { ...good, auth: randomBytes(15).toString('base64url') }, /16 octets/],
    ['a 17-octet secret', { ...good, auth: randomBytes(17).toString('base64url') }, /16 octets/],
    ['a non-canonical secret', { ...good, auth: `${good.auth.slice(0, 21)}B` }, /keys.auth is not base64url/],
  ])('refuses %s', (_what, keys, why) => {
    expect(() => validateSubscriptionKeys(keys)).toThrow(why);
    try {
      validateSubscriptionKeys(keys);
    } catch (err) {
      expect(err).toMatchObject({ code: 'TRYGG_ERR_PUSH_KEYS_INVALID' });
    }
  });
});
