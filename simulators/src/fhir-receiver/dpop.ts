/**
 * DPoP proof checking (RFC 9449): the proof JWT a client sends in the `DPoP` header, both at the
 * token endpoint and with every FHIR call. Answers the thumbprint of the proof's key, which the
 * access token is bound to.
 */
import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, EmbeddedJWK, jwtVerify, type JWK } from 'jose';
import type { JtiCache } from './jti-cache.js';

/** How far a proof's `iat` may be from the receiver's clock. */
export const DPOP_IAT_WINDOW_S = 60;

export class DpopError extends Error {}

export interface ProofExpectation {
  htm: string;
  /** The request URL the proof must name, without query or fragment. */
  htu: string;
  /** The access token the proof goes with: `ath` must be its hash. Absent at the token endpoint. */
  accessToken?: string;
}

/** base64url(SHA-256(token)), the `ath` claim. */
export const accessTokenHash = (token: string): string => createHash('sha256').update(token, 'ascii').digest('base64url');

const withoutQuery = (url: string): string | null => {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return null;
  }
};

/** Verifies the `DPoP` header of a request; returns the JWK SHA-256 thumbprint of the proof key. */
export async function verifyDpopProof(
  header: string | string[] | undefined,
  expect: ProofExpectation,
  jtis: JtiCache,
): Promise<{ jkt: string }> {
  if (header === undefined || header === '') throw new DpopError('DPoP proof missing');
  if (Array.isArray(header) || header.includes(',')) throw new DpopError('more than one DPoP proof');
  let payload: Record<string, unknown>;
  let jwk: JWK | undefined;
  try {
    const verified = await jwtVerify(header, EmbeddedJWK, {
      typ: 'dpop+jwt',
      algorithms: ['ES256'],
      requiredClaims: ['jti', 'htm', 'htu', 'iat'],
    });
    payload = verified.payload;
    jwk = verified.protectedHeader.jwk;
  } catch (e) {
    throw new DpopError(`DPoP proof rejected: ${(e as Error).message}`);
  }
  if (!jwk) throw new DpopError('DPoP proof has no jwk header');
  if (payload.htm !== expect.htm) throw new DpopError(`DPoP htm is ${String(payload.htm)}, the request is ${expect.htm}`);
  if (typeof payload.htu !== 'string' || withoutQuery(payload.htu) !== withoutQuery(expect.htu))
    throw new DpopError(`DPoP htu ${String(payload.htu)} does not match ${expect.htu}`);
  const iat = payload.iat as number;
  const now = Date.now() / 1000;
  if (Math.abs(now - iat) > DPOP_IAT_WINDOW_S) throw new DpopError(`DPoP iat is ${Math.round(now - iat)} s off`);
  if (expect.accessToken !== undefined) {
    if (payload.ath !== accessTokenHash(expect.accessToken)) throw new DpopError('DPoP ath does not match the access token');
  }
  if (typeof payload.jti !== 'string' || payload.jti === '') throw new DpopError('DPoP jti missing');
  if (jtis.replayed(`dpop:${payload.jti}`, (iat + 2 * DPOP_IAT_WINDOW_S) * 1000))
    throw new DpopError('DPoP proof replayed (jti seen before)');
  return { jkt: await calculateJwkThumbprint(jwk, 'sha256') };
}
