/**
 * The local push service's decryption (simulators/src/push-service) against RFC 8291 Appendix A
 * (the standard's own example), and Trygg's encryptor against it: a message Trygg encrypts
 * decrypts here, and a tampered one does not.
 */
import { createECDH, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PushEncryptor } from '@trygg/dashboard';
import { DecryptError, decryptAes128gcm } from '@trygg/simulators';

const b64 = (s: string) => Buffer.from(s, 'base64url');

describe('aes128gcm push decryption (RFC 8291 / 8188)', () => {
  it('decrypts the example message of RFC 8291 Appendix A', () => {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(b64('q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94'));
    expect(ecdh.getPublicKey().toString('base64url')).toBe(
      'BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4',
    );
    const body = b64(
      'DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN',
    );
    const plain = decryptAes128gcm(body, { ecdh, auth: b64('BTBZMqHH6r4Tts7J_aSIgg') });
    expect(plain.toString('utf8')).toBe('When I grow up, I want to be a watermelon');
  });

  it("decrypts what Trygg's encryptor makes, and refuses it tampered or for another subscription", () => {
    const ua = createECDH('prime256v1');
    ua.generateKeys();
    const auth = randomBytes(16);
    const keys = { p256dh: ua.getPublicKey().toString('base64url'), auth: auth.toString('base64url') };
    const enc = new PushEncryptor();
    const text = JSON.stringify({ hello: 'Kari Nordmann', ø: 'æå' });
    const a = enc.encrypt(keys, Buffer.from(text));
    const b = enc.encrypt(keys, Buffer.from(text));
    // Same cached key agreement, but a fresh salt per message: different ciphertexts.
    expect(a.subarray(0, 16).equals(b.subarray(0, 16))).toBe(false);
    expect(decryptAes128gcm(a, { ecdh: ua, auth }).toString('utf8')).toBe(text);
    expect(decryptAes128gcm(b, { ecdh: ua, auth }).toString('utf8')).toBe(text);
    const tampered = Buffer.from(a);
    tampered[tampered.length - 20] = (tampered[tampered.length - 20] ?? 0) ^ 1;
    expect(() => decryptAes128gcm(tampered, { ecdh: ua, auth })).toThrow(DecryptError);
    const other = createECDH('prime256v1');
    other.generateKeys();
    expect(() => decryptAes128gcm(a, { ecdh: other, auth })).toThrow(DecryptError);
  });

  it('rotates its own key pair after its lifetime, and old messages still decrypt', () => {
    let now = 0;
    const enc = new PushEncryptor(60_000, () => now);
    const ua = createECDH('prime256v1');
    ua.generateKeys();
    const auth = randomBytes(16);
    const keys = { p256dh: ua.getPublicKey().toString('base64url'), auth: auth.toString('base64url') };
    const first = enc.encrypt(keys, Buffer.from('one'));
    now = 61_000;
    const second = enc.encrypt(keys, Buffer.from('two'));
    expect(first.subarray(21, 86).equals(second.subarray(21, 86))).toBe(false);
    expect(decryptAes128gcm(first, { ecdh: ua, auth }).toString()).toBe('one');
    expect(decryptAes128gcm(second, { ecdh: ua, auth }).toString()).toBe('two');
  });
});
