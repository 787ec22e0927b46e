/**
 * The user agent's half of RFC 8291: decrypting an `aes128gcm` push message (RFC 8188) with the
 * subscription's private key and auth secret. Written independently of Trygg's encryptor (from
 * the RFCs, on node:crypto), so a test passes only when both agree with the standard.
 */
import { createDecipheriv, hkdfSync, type ECDH } from 'node:crypto';

export class DecryptError extends Error {}

/** RFC 8188 §2.1 header, then records of `rs` octets (the last may be shorter). */
export function decryptAes128gcm(body: Buffer, ua: { ecdh: ECDH; auth: Buffer }): Buffer {
  if (body.length < 21) throw new DecryptError('body shorter than the aes128gcm header');
  const salt = body.subarray(0, 16);
  const rs = body.readUInt32BE(16);
  const idlen = body.readUInt8(20);
  // RFC 8188 §2: rs must be at least 18 (a delimiter and the 16-octet tag, plus one octet).
  if (rs < 18) throw new DecryptError(`record size ${rs} too small`);
  // RFC 8291 §4: the keyid is the sender's uncompressed P-256 public key (65 octets).
  if (idlen !== 65) throw new DecryptError(`keyid of ${idlen} octets (RFC 8291 §4 wants 65)`);
  const asPublic = body.subarray(21, 21 + idlen);
  const records = body.subarray(21 + idlen);
  const uaPublic = ua.ecdh.getPublicKey();
  let ecdhSecret: Buffer;
  try {
    ecdhSecret = ua.ecdh.computeSecret(asPublic);
  } catch {
    throw new DecryptError('keyid is not a point on P-256');
  }
  // RFC 8291 §3.4
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0', 'latin1'), uaPublic, asPublic]);
  const ikm = Buffer.from(hkdfSync('sha256', ecdhSecret, ua.auth, keyInfo, 32));
  // RFC 8188 §2.2, §2.3
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0', 'latin1'), 16));
  const nonceBase = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0', 'latin1'), 12));
  if (records.length === 0) throw new DecryptError('no records');
  const out: Buffer[] = [];
  let seq = 0;
  for (let at = 0; at < records.length; at += rs, seq++) {
    const record = records.subarray(at, Math.min(at + rs, records.length));
    const last = at + rs >= records.length;
    if (record.length < 17) throw new DecryptError('record shorter than its tag');
    const nonce = Buffer.from(nonceBase);
    // RFC 8188 §2.3: the record sequence number XORed into the nonce's last octets (the upper
    // two of its six stay zero below 2^32 records).
    nonce.writeUInt32BE((nonce.readUInt32BE(8) ^ seq) >>> 0, 8);
    const d = createDecipheriv('aes-128-gcm', cek, nonce);
    d.setAuthTag(record.subarray(record.length - 16));
    let plain: Buffer;
    try {
      plain = Buffer.concat([d.update(record.subarray(0, record.length - 16)), d.final()]);
    } catch {
      throw new DecryptError(`record ${seq} failed authentication`);
    }
    // RFC 8188 §2: strip padding (zeros) back to the delimiter: 0x02 on the last record, 0x01 before.
    let end = plain.length - 1;
    while (end >= 0 && plain[end] === 0) end--;
    const delimiter = plain[end];
    if (delimiter !== (last ? 2 : 1)) throw new DecryptError(`record ${seq} has delimiter ${delimiter ?? 'none'}`);
    out.push(plain.subarray(0, end));
  }
  return Buffer.concat(out);
}
