/**
 * The authorization side of the receiver, shaped after HelseID: the token endpoint
 * (client_credentials with a private_key_jwt client assertion, RFC 7523, optionally DPoP-bound,
 * RFC 9449) and the access-token check every FHIR call goes through.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { jwtVerify, type CryptoKey } from 'jose';
import { DpopError, verifyDpopProof } from './dpop.js';
import type { JtiCache } from './jti-cache.js';

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** The longest a client assertion may live (its `exp` at most this far ahead). */
const MAX_ASSERTION_LIFETIME_S = 300;
/** Clock skew tolerated on the assertion's time claims. */
const CLOCK_TOLERANCE_S = 5;

export interface OAuthConfig {
  clientId: string;
  tokenUrl: string;
  clientPublicKey: CryptoKey;
  requireDpop: boolean;
  tokenTtlS: number;
}

export type OAuthErrorCode =
  'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unsupported_grant_type' | 'invalid_dpop_proof';

export type TokenAnswer =
  | { ok: true; body: { access_token: string; token_type: 'DPoP' | 'Bearer'; expires_in: number } }
  | { ok: false; body: { error: OAuthErrorCode; error_description: string } };

/** Why a FHIR call was not let in: always a 401 with this challenge. */
export interface AuthFailure {
  challenge: string[];
  code: 'login' | 'expired' | 'security';
  reason: string;
}

interface IssuedToken {
  /** JWK thumbprint of the DPoP key the token is bound to; null for a plain Bearer token. */
  jkt: string | null;
  expiresAtMs: number;
}

const fail = (error: OAuthErrorCode, error_description: string): TokenAnswer => ({
  ok: false,
  body: { error, error_description },
});
const quote = (s: string): string => `"${s.replace(/["\\]/g, "'")}"`;

export class OAuthServer {
  private readonly tokens = new Map<string, IssuedToken>();

  constructor(
    private readonly cfg: OAuthConfig,
    private readonly jtis: JtiCache,
  ) {}

  /** Answers a POST to the token endpoint; the caller writes it with status 200 or 400. */
  async token(req: IncomingMessage, contentType: string, body: string): Promise<TokenAnswer> {
    if (contentType !== 'application/x-www-form-urlencoded')
      return fail('invalid_request', 'the token request must be application/x-www-form-urlencoded');
    const form = new URLSearchParams(body);
    for (const key of new Set(form.keys()))
      if (form.getAll(key).length > 1) return fail('invalid_request', `parameter ${key} given more than once`);
    const grantType = form.get('grant_type');
    if (!grantType) return fail('invalid_request', 'grant_type missing');
    if (grantType !== 'client_credentials') return fail('unsupported_grant_type', `grant_type ${grantType} is not supported`);
    const assertionType = form.get('client_assertion_type');
    const assertion = form.get('client_assertion');
    if (!assertionType || !assertion) return fail('invalid_client', 'client authentication (private_key_jwt) missing');
    if (assertionType !== JWT_BEARER) return fail('invalid_client', `client_assertion_type must be ${JWT_BEARER}`);
    const clientId = form.get('client_id');
    if (clientId !== null && clientId !== this.cfg.clientId) return fail('invalid_client', `unknown client ${clientId}`);

    let claims: Record<string, unknown>;
    try {
      ({ payload: claims } = await jwtVerify(assertion, this.cfg.clientPublicKey, {
        algorithms: ['ES256'],
        issuer: this.cfg.clientId,
        subject: this.cfg.clientId,
        audience: this.cfg.tokenUrl,
        requiredClaims: ['exp', 'jti'],
        clockTolerance: CLOCK_TOLERANCE_S,
      }));
    } catch (e) {
      return fail('invalid_client', `client assertion rejected: ${(e as Error).message}`);
    }
    const exp = claims.exp as number;
    if (exp > Date.now() / 1000 + MAX_ASSERTION_LIFETIME_S + CLOCK_TOLERANCE_S)
      return fail('invalid_client', `client assertion expires more than ${MAX_ASSERTION_LIFETIME_S} s ahead`);
    if (typeof claims.jti !== 'string' || claims.jti === '') return fail('invalid_client', 'client assertion jti missing');

    let jkt: string | null = null;
    const proof = req.headers.dpop;
    if (proof !== undefined || this.cfg.requireDpop) {
      try {
        ({ jkt } = await verifyDpopProof(proof, { htm: 'POST', htu: this.cfg.tokenUrl }, this.jtis));
      } catch (e) {
        if (e instanceof DpopError) return fail('invalid_dpop_proof', e.message);
        throw e;
      }
    }
    if (this.jtis.replayed(`assertion:${claims.jti}`, (exp + CLOCK_TOLERANCE_S) * 1000))
      return fail('invalid_client', 'client assertion replayed (jti seen before)');

    const accessToken = randomBytes(32).toString('base64url');
    this.tokens.set(accessToken, { jkt, expiresAtMs: Date.now() + this.cfg.tokenTtlS * 1000 });
    return {
      ok: true,
      body: { access_token: accessToken, token_type: jkt ? 'DPoP' : 'Bearer', expires_in: this.cfg.tokenTtlS },
    };
  }

  /** Checks the access token (and its DPoP proof) of a FHIR call; null when it may pass. */
  async authenticate(req: IncomingMessage, htm: string, htu: string): Promise<AuthFailure | null> {
    const authorization = req.headers.authorization ?? '';
    const match = /^(\S+) +(\S+)$/.exec(authorization.trim());
    if (!match)
      return this.refuse(
        authorization ? 'malformed Authorization header' : 'no access token',
        'login',
        authorization ? 'invalid_request' : null,
      );
    const scheme = (match[1] ?? '').toLowerCase();
    const token = match[2] ?? '';
    if (scheme !== 'dpop' && scheme !== 'bearer')
      return this.refuse(`unsupported authorization scheme ${match[1]}`, 'login', 'invalid_request');
    const issued = this.tokens.get(token);
    if (!issued) return this.refuse('unknown access token', 'login', 'invalid_token', scheme);
    if (issued.expiresAtMs <= Date.now()) {
      this.tokens.delete(token);
      return this.refuse('access token expired', 'expired', 'invalid_token', scheme);
    }
    if (scheme === 'bearer') {
      if (issued.jkt !== null)
        return this.refuse('a DPoP-bound token was presented as Bearer', 'security', 'invalid_token', scheme);
      return null;
    }
    if (issued.jkt === null) return this.refuse('a Bearer token was presented as DPoP', 'security', 'invalid_token', scheme);
    try {
      const { jkt } = await verifyDpopProof(req.headers.dpop, { htm, htu, accessToken: token }, this.jtis);
      if (jkt !== issued.jkt)
        return this.refuse('the DPoP proof key is not the key the token is bound to', 'security', 'invalid_dpop_proof', scheme);
    } catch (e) {
      if (e instanceof DpopError) return this.refuse(e.message, 'security', 'invalid_dpop_proof', scheme);
      throw e;
    }
    return null;
  }

  /** A 401 with the WWW-Authenticate challenge(s) of RFC 6750 / RFC 9449 §7.1. */
  private refuse(reason: string, code: AuthFailure['code'], error: string | null, usedScheme?: string): AuthFailure {
    const params = error === null ? '' : `error=${quote(error)}, error_description=${quote(reason)}`;
    const onDpop = this.cfg.requireDpop || usedScheme !== 'bearer';
    const dpop = `DPoP algs="ES256"${params && onDpop ? `, ${params}` : ''}`;
    const bearer = `Bearer realm="journal"${params && !onDpop ? `, ${params}` : ''}`;
    return { challenge: this.cfg.requireDpop ? [dpop] : [bearer, dpop], code, reason };
  }
}
