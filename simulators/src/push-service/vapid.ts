/**
 * The push service's check of an application server's identity (RFC 8292): the
 * `Authorization: vapid t=<JWT>, k=<key>` header, the JWT's ES256 signature by that key, its
 * audience (this service's origin), its expiry (present, in the future, at most 24 h ahead),
 * its subject (`mailto:` or `https:`), and that the key is the one the subscription was made for.
 */
import { decodeProtectedHeader, importJWK, jwtVerify } from 'jose';

export class VapidError extends Error {
  constructor(
    readonly status: 401 | 403,
    message: string,
  ) {
    super(message);
  }
}

/** Verifies the header; returns the JWT's subject. */
export async function verifyVapid(
  header: string | undefined,
  audience: string,
  subscriptionKey: string,
  nowS: number,
): Promise<string> {
  if (!header) throw new VapidError(401, 'no Authorization header');
  // RFC 8292 §3: the "vapid" scheme with parameters t (the JWT) and k (the public key).
  const m = /^vapid\s+(.+)$/i.exec(header.trim());
  if (!m?.[1]) throw new VapidError(401, 'Authorization scheme is not vapid');
  const params = new Map<string, string>();
  for (const part of m[1].split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) params.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  const t = params.get('t');
  const k = params.get('k');
  if (!t || !k) throw new VapidError(401, 'vapid needs t and k');
  // RFC 8292 §4.2: a subscription restricted to a key refuses a different key with 403.
  if (k.replace(/=+$/, '') !== subscriptionKey.replace(/=+$/, ''))
    throw new VapidError(403, 'k is not the key the subscription was made for');
  const raw = Buffer.from(k, 'base64url');
  if (raw.length !== 65 || raw[0] !== 4) throw new VapidError(401, 'k is not an uncompressed P-256 point');
  let alg: string | undefined;
  try {
    alg = decodeProtectedHeader(t).alg;
  } catch {
    throw new VapidError(401, 't is not a JWS');
  }
  // RFC 8292 §2: ES256, nothing else.
  if (alg !== 'ES256') throw new VapidError(401, `alg ${alg ?? 'none'} is not ES256`);
  const key = await importJWK(
    { kty: 'EC', crv: 'P-256', x: raw.subarray(1, 33).toString('base64url'), y: raw.subarray(33).toString('base64url') },
    'ES256',
  );
  let payload;
  try {
    ({ payload } = await jwtVerify(t, key, { algorithms: ['ES256'], audience, currentDate: new Date(nowS * 1000) }));
  } catch (err) {
    throw new VapidError(401, `JWT refused: ${(err as Error).message}`);
  }
  // RFC 8292 §2: exp is required and no more than 24 hours away.
  if (typeof payload.exp !== 'number') throw new VapidError(401, 'JWT has no exp');
  if (payload.exp > nowS + 24 * 3600) throw new VapidError(401, 'exp more than 24 h ahead');
  const sub = payload.sub;
  if (sub !== undefined && !/^(mailto:|https:)/.test(sub)) throw new VapidError(401, 'sub must be mailto: or https:');
  return sub ?? '';
}
