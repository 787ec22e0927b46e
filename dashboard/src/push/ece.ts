/**
 * Web push message encryption: `aes128gcm` content coding (RFC 8188) keyed as RFC 8291 says,
 * written on node:crypto so the expensive part can be reused.
 *
 * Per message RFC 8291 needs an application-server ECDH key pair, an ECDH agreement with the
 * subscription's key, and two HKDFs. The agreement and the first HKDF (IKM, §3.3) depend only
 * on the subscription and our key pair, so we keep one key pair for `keyLifetimeMs` (default
 * 60 s) and cache each subscription's IKM for that key. Every message still gets a fresh random
 * salt (RFC 8188 §2.1), hence its own content-encryption key and nonce; a leaked key pair
 * exposes at most one minute of messages. Stock `web-push` (http_ece) makes a new key pair and
 * agreement for every message; see the push bench for what the cache buys.
 */
import { createCipheriv, createECDH, hkdfSync, randomBytes, type ECDH } from 'node:crypto';

/** The subscription's keys as the browser gave them (base64url). */
export interface SubscriptionKeys {
  p256dh: string;
  auth: string;
}

const RECORD_SIZE = 4096;
const KEY_INFO_PREFIX = Buffer.from('WebPush: info\0', 'latin1');
const CEK_INFO = Buffer.from('Content-Encoding: aes128gcm\0', 'latin1');
const NONCE_INFO = Buffer.from('Content-Encoding: nonce\0', 'latin1');

interface ServerKey {
  ecdh: ECDH;
  publicKey: Buffer;
  createdAt: number;
}

export class PushEncryptor {
  private key: ServerKey | null = null;
  /** IKM per subscription (keyed by p256dh + auth) for the current server key. */
  private readonly ikm = new Map<string, Buffer>();

  constructor(
    private readonly keyLifetimeMs = 60_000,
    private readonly now: () => number = Date.now,
    private readonly maxCached = 100_000,
  ) {}

  /** The `aes128gcm` body for one message (RFC 8188 §2: header, then one record). */
  encrypt(keys: SubscriptionKeys, plaintext: Buffer): Buffer {
    // RFC 8188 §2: a record holds at most rs − 17 octets of content (delimiter + 16-octet tag).
    if (plaintext.length > RECORD_SIZE - 17) throw new RangeError(`push payload of ${plaintext.length} bytes is too large`);
    const key = this.serverKey();
    const ikm = this.ikmFor(key, keys);
    const salt = randomBytes(16);
    const cek = Buffer.from(hkdfSync('sha256', ikm, salt, CEK_INFO, 16));
    const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, NONCE_INFO, 12));
    const cipher = createCipheriv('aes-128-gcm', cek, nonce);
    // RFC 8188 §2: the last record's padding delimiter is 0x02; no further padding.
    const body = Buffer.concat([cipher.update(plaintext), cipher.update(Buffer.from([2])), cipher.final(), cipher.getAuthTag()]);
    const header = Buffer.alloc(16 + 4 + 1);
    salt.copy(header, 0);
    header.writeUInt32BE(RECORD_SIZE, 16);
    header.writeUInt8(key.publicKey.length, 20);
    // RFC 8291 §4: keyid is the application server's uncompressed public key.
    return Buffer.concat([header, key.publicKey, body]);
  }

  private serverKey(): ServerKey {
    const t = this.now();
    if (!this.key || t - this.key.createdAt >= this.keyLifetimeMs) {
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      this.key = { ecdh, publicKey: ecdh.getPublicKey(), createdAt: t };
      this.ikm.clear();
    }
    return this.key;
  }

  private ikmFor(key: ServerKey, keys: SubscriptionKeys): Buffer {
    const id = `${keys.p256dh}.${keys.auth}`;
    const cached = this.ikm.get(id);
    if (cached) return cached;
    const uaPublic = Buffer.from(keys.p256dh, 'base64url');
    const authSecret = Buffer.from(keys.auth, 'base64url');
    if (uaPublic.length !== 65 || uaPublic[0] !== 4) throw new RangeError('p256dh must be an uncompressed P-256 point');
    if (authSecret.length !== 16) throw new RangeError('auth must be 16 octets');
    const ecdhSecret = key.ecdh.computeSecret(uaPublic);
    // RFC 8291 §3.3: IKM = HKDF(auth_secret, ecdh_secret, "WebPush: info" 0x00 ua_public as_public, 32)
    const info = Buffer.concat([KEY_INFO_PREFIX, uaPublic, key.publicKey]);
    const ikm = Buffer.from(hkdfSync('sha256', ecdhSecret, authSecret, info, 32));
    if (this.ikm.size >= this.maxCached) this.ikm.clear();
    this.ikm.set(id, ikm);
    return ikm;
  }
}
