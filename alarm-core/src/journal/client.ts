/**
 * The journal receiver's client: OAuth 2.0 client credentials with `private_key_jwt` (RFC 7523)
 * and, where the receiver wants it, DPoP-bound tokens (RFC 9449), all signed with jose; a
 * transaction POST and the follow-up of a `202 Accepted`. Every answer is classified so the
 * worker knows whether to mark, follow up, retry or give up.
 */
import { createHash, randomUUID } from 'node:crypto';
import { SignJWT, importJWK, type JWK } from 'jose';
import type { Bundle } from './fhir-types.js';

export interface JournalReceiverConfig {
  baseUrl: string;
  tokenUrl: string;
  clientId: string;
  /** The client's private key (EC P-256, as a JWK); the receiver holds the public part. */
  privateJwk: JWK;
  dpop: boolean;
  timeoutMs: number;
}

export type JournalAnswer =
  | { outcome: 'journaled'; status: number }
  | { outcome: 'accepted'; status: number; location: string }
  | { outcome: 'pending'; status: number }
  | { outcome: 'retry'; status: number | null; error: string }
  | { outcome: 'rejected'; status: number; error: string };

type Signer = Awaited<ReturnType<typeof importJWK>>;

export class JournalClient {
  private key: Signer | null = null;
  private token: { value: string; type: string; expiresAt: number } | null = null;

  constructor(private readonly cfg: JournalReceiverConfig) {}

  /** POSTs one transaction Bundle (conditional creates inside, so a retry never duplicates). */
  async deliver(bundle: Bundle): Promise<JournalAnswer> {
    return this.call('POST', this.cfg.baseUrl.replace(/\/$/, ''), JSON.stringify(bundle), (res) =>
      res.status === 202 && res.headers.get('location')
        ? { outcome: 'accepted', status: 202, location: new URL(res.headers.get('location') ?? '', this.cfg.baseUrl).toString() }
        : { outcome: 'journaled', status: res.status },
    );
  }

  /** Follows up a `202 Accepted`: still pending, or journaled. */
  async followUp(location: string): Promise<JournalAnswer> {
    return this.call('GET', location, null, (res) =>
      res.status === 202 ? { outcome: 'pending', status: 202 } : { outcome: 'journaled', status: res.status },
    );
  }

  private async call(
    method: 'GET' | 'POST',
    url: string,
    body: string | null,
    ok: (res: Response) => JournalAnswer,
  ): Promise<JournalAnswer> {
    let token: { value: string; type: string };
    try {
      token = await this.accessToken();
    } catch (err) {
      return { outcome: 'retry', status: null, error: `token: ${(err as Error).message}` };
    }
    let res: Response;
    try {
      const headers: Record<string, string> = { accept: 'application/fhir+json', authorization: `${token.type} ${token.value}` };
      if (body !== null) headers['content-type'] = 'application/fhir+json';
      if (token.type === 'DPoP') headers.dpop = await this.proof(method, url, token.value);
      res = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(this.cfg.timeoutMs) });
    } catch (err) {
      // A timeout may have come after the receiver stored it; the conditional create makes a retry safe.
      return { outcome: 'retry', status: null, error: (err as Error).message };
    }
    const text = await res.text().catch(() => '');
    if (res.status === 401) this.token = null; // expired or revoked: fetch a new one next time
    if (res.ok) return ok(res);
    const error = `${res.status} ${outcomeText(text) ?? text.slice(0, 500)}`;
    const retryable = res.status === 401 || res.status === 408 || res.status === 429 || res.status >= 500;
    return retryable ? { outcome: 'retry', status: res.status, error } : { outcome: 'rejected', status: res.status, error };
  }

  private async signer(): Promise<Signer> {
    this.key ??= await importJWK(this.cfg.privateJwk, 'ES256');
    return this.key;
  }

  private publicJwk(): JWK {
    const { kty, crv, x, y } = this.cfg.privateJwk;
    return { kty, crv, x, y };
  }

  /** A cached token, renewed a minute before it expires. */
  private async accessToken(): Promise<{ value: string; type: string }> {
    if (this.token && this.token.expiresAt > Date.now() + 60_000) return this.token;
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer(this.cfg.clientId)
      .setSubject(this.cfg.clientId)
      .setAudience(this.cfg.tokenUrl)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime('2m')
      .sign(await this.signer());
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (this.cfg.dpop) headers.dpop = await this.proof('POST', this.cfg.tokenUrl, null);
    const res = await fetch(this.cfg.tokenUrl, {
      method: 'POST',
      headers,
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
      }),
      signal: AbortSignal.timeout(this.cfg.timeoutMs),
    });
    if (!res.ok) throw new Error(`token endpoint answered ${res.status} ${(await res.text()).slice(0, 200)}`);
    const t = (await res.json()) as { access_token: string; token_type: string; expires_in?: number };
    this.token = {
      value: t.access_token,
      type: t.token_type === 'DPoP' ? 'DPoP' : 'Bearer',
      expiresAt: Date.now() + (t.expires_in ?? 300) * 1000,
    };
    return this.token;
  }

  /** A DPoP proof for one request (with `ath` when it carries an access token). */
  private async proof(method: string, url: string, accessToken: string | null): Promise<string> {
    const claims: Record<string, string> = { htm: method, htu: url.split('?')[0] ?? url };
    if (accessToken) claims.ath = createHash('sha256').update(accessToken).digest('base64url');
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: this.publicJwk() })
      .setJti(randomUUID())
      .setIssuedAt()
      .sign(await this.signer());
  }
}

/** The diagnostics of a FHIR OperationOutcome (what a person can act on), or null when the body is not one. */
export function outcomeText(body: string): string | null {
  try {
    const o = JSON.parse(body) as { resourceType?: unknown; issue?: { code?: unknown; diagnostics?: unknown }[] };
    if (o.resourceType !== 'OperationOutcome' || !Array.isArray(o.issue)) return null;
    const parts = o.issue.map((i) => [i.code, i.diagnostics].filter((x) => typeof x === 'string').join(': ')).filter(Boolean);
    return parts.length ? parts.join('; ').slice(0, 500) : null;
  } catch {
    return null;
  }
}
