/**
 * A subscription's keys checked when it is saved, not when the first alarm needs them: the
 * browser's ECDH public key must be an uncompressed P-256 point that lies on the curve, and the
 * auth secret 16 octets (RFC 8291 §2.1, §3.2), both base64url. A key that is not a point would
 * fail every encryption later, and that failure would surface only as an alarm nobody heard.
 */
import { ECDH } from 'node:crypto';
import { TryggError } from '@trygg/alarm-core';

/** Refuses (`TRYGG_ERR_PUSH_KEYS_INVALID`, naming the field) keys Trygg could not encrypt for. */
export function validateSubscriptionKeys(keys: { p256dh: string; auth: string }): void {
  const p256dh = strictBase64url(keys.p256dh, 'keys.p256dh');
  // RFC 8291 §3.1 / SEC 1 §2.3.3: 0x04 then the 32-octet x and y.
  if (p256dh.length !== 65 || p256dh[0] !== 0x04)
    throw invalid('keys.p256dh must be an uncompressed P-256 point (65 octets starting 0x04)');
  try {
    // OpenSSL refuses a point that is not on the curve.
    ECDH.convertKey(p256dh, 'prime256v1');
  } catch {
    throw invalid('keys.p256dh is not a point on P-256');
  }
  if (strictBase64url(keys.auth, 'keys.auth').length !== 16) throw invalid('keys.auth must be 16 octets');
}

/** base64url with or without padding, refusing anything a round trip would not give back. */
function strictBase64url(value: string, field: string): Buffer {
  const bare = value.replace(/=+$/, '');
  const bytes = Buffer.from(bare, 'base64url');
  if (!/^[A-Za-z0-9_-]*$/.test(bare) || bytes.toString('base64url') !== bare) throw invalid(`${field} is not base64url`);
  return bytes;
}

function invalid(message: string): TryggError {
  return new TryggError('TRYGG_ERR_PUSH_KEYS_INVALID', message);
}
