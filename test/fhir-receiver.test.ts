/**
 * The stand-in journal (@trygg/simulators/fhir-receiver) against a client built the way a real one
 * is, with jose: private_key_jwt client assertions, DPoP proofs, conditional creates, and each
 * failure mode the outbox worker must survive.
 */
import { createHash, randomUUID } from 'node:crypto';
import { importJWK, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fhirValidator } from '@trygg/alarm-core/fhir-schema';
import { startFhirReceiver, type FhirReceiver } from '@trygg/simulators/fhir-receiver';

const NATIONAL_ID = 'urn:oid:2.16.578.1.12.4.1.4.1';
const ALARM_IDS = 'urn:ietf:rfc:3986';

/** A client of one receiver: signs assertions and proofs with the key the receiver registered. */
class Client {
  private constructor(
    readonly r: FhirReceiver,
    private readonly key: CryptoKey,
    private readonly publicJwk: JWK,
  ) {}

  static async of(r: FhirReceiver): Promise<Client> {
    const { kty, crv, x, y } = r.clientPrivateJwk;
    return new Client(r, (await importJWK(r.clientPrivateJwk, 'ES256')) as CryptoKey, { kty, crv, x, y });
  }

  assertion(claims: { aud?: string; exp?: string; jti?: string } = {}): Promise<string> {
    return new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: this.r.clientPrivateJwk.kid })
      .setIssuer(this.r.clientId)
      .setSubject(this.r.clientId)
      .setAudience(claims.aud ?? this.r.tokenUrl)
      .setIssuedAt()
      .setExpirationTime(claims.exp ?? '60s')
      .setJti(claims.jti ?? randomUUID())
      .sign(this.key);
  }

  proof(htm: string, htu: string, accessToken?: string): Promise<string> {
    const ath = accessToken === undefined ? {} : { ath: createHash('sha256').update(accessToken).digest('base64url') };
    return new SignJWT({ htm, htu, ...ath })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: this.publicJwk })
      .setIssuedAt()
      .setJti(randomUUID())
      .sign(this.key);
  }

  async tokenResponse(opts: { assertion?: string; dpop?: string | null } = {}): Promise<Response> {
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    const dpop = opts.dpop === undefined ? await this.proof('POST', this.r.tokenUrl) : opts.dpop;
    if (dpop !== null) headers.dpop = dpop;
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: opts.assertion ?? (await this.assertion()),
    });
    return fetch(this.r.tokenUrl, { method: 'POST', headers, body });
  }

  async token(): Promise<string> {
    const res = await this.tokenResponse();
    expect(res.status).toBe(200);
    const body = (await res.json()) as { access_token: string; token_type: string; expires_in: number };
    expect(body.token_type).toBe('DPoP');
    return body.access_token;
  }

  async post(
    bundle: unknown,
    token: string,
    opts: { htu?: string; signal?: AbortSignal; proof?: string; contentType?: string } = {},
  ): Promise<Response> {
    return fetch(this.r.baseUrl, {
      method: 'POST',
      headers: {
        authorization: `DPoP ${token}`,
        dpop: opts.proof ?? (await this.proof('POST', opts.htu ?? this.r.baseUrl, token)),
        'content-type': opts.contentType ?? 'application/fhir+json',
      },
      body: typeof bundle === 'string' ? bundle : JSON.stringify(bundle),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  }

  async get(url: string, token: string): Promise<Response> {
    return fetch(url, { headers: { authorization: `DPoP ${token}`, dpop: await this.proof('GET', url, token) } });
  }
}

const detectedIssue = (alarmId: string, extra: Record<string, unknown> = {}) => ({
  resourceType: 'DetectedIssue',
  identifier: [{ system: ALARM_IDS, value: `urn:uuid:${alarmId}` }],
  status: 'final',
  patient: { identifier: { system: NATIONAL_ID, value: '17853811111' } },
  identifiedDateTime: '2026-11-21T03:00:00Z',
  ...extra,
});

const entry = (
  resource: { resourceType: string; identifier?: { system: string; value: string }[] },
  fullUrl = `urn:uuid:${randomUUID()}`,
) => {
  const id = resource.identifier?.[0];
  return {
    fullUrl,
    resource,
    request: {
      method: 'POST',
      url: resource.resourceType,
      ...(id ? { ifNoneExist: `identifier=${id.system}|${id.value}` } : {}),
    },
  };
};
const transaction = (...entries: unknown[]) => ({ resourceType: 'Bundle', type: 'transaction', entry: entries });
const keyOf = (alarmId: string) => `${ALARM_IDS}|urn:uuid:${alarmId}`;

interface ResponseBundle {
  resourceType: string;
  type: string;
  entry: { response: { status: string; location: string } }[];
}
interface Outcome {
  resourceType: 'OperationOutcome';
  issue: { severity: string; code: string; diagnostics: string }[];
}

describe('the stand-in FHIR journal', () => {
  let r: FhirReceiver;
  let client: Client;
  beforeAll(async () => {
    r = await startFhirReceiver();
    client = await Client.of(r);
  });
  afterAll(async () => {
    await r?.close();
  });
  afterEach(() => r.setMode('ok'));

  it('issues a DPoP-bound token and creates conditionally: 201, then 200 and still one record', async () => {
    const token = await client.token();
    const alarmId = randomUUID();
    const first = await client.post(transaction(entry(detectedIssue(alarmId))), token);
    expect(first.status).toBe(200); // the transaction answers 200 …
    const created = (await first.json()) as ResponseBundle;
    expect(created.type).toBe('transaction-response');
    expect(created.entry[0]?.response.status).toBe('201 Created'); // … its entry 201
    expect(created.entry[0]?.response.location).toMatch(/^DetectedIssue\/[\w-]+\/_history\/1$/);
    expect(fhirValidator()('Bundle', created)).toEqual([]);

    const again = await client.post(transaction(entry(detectedIssue(alarmId))), token);
    expect(again.status).toBe(200);
    const deduplicated = (await again.json()) as ResponseBundle;
    expect(deduplicated.entry[0]?.response.status).toBe('200 OK');
    expect(deduplicated.entry[0]?.response.location).toBe(created.entry[0]?.response.location);

    const records = [...r.records()].filter(([key]) => key === keyOf(alarmId));
    expect(records).toHaveLength(1);
    expect(records[0]?.[1]).toMatchObject({ resourceType: 'DetectedIssue', journaled: true });
    expect(r.stats.deduplicated).toBeGreaterThanOrEqual(1);
  });

  it('rewrites references between the entries to the ids it assigns', async () => {
    const token = await client.token();
    const issueUrl = `urn:uuid:${randomUUID()}`;
    const encounter = {
      resourceType: 'Encounter',
      identifier: [{ system: ALARM_IDS, value: `urn:uuid:${randomUUID()}` }],
      status: 'finished',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'VR' },
      reasonReference: [{ reference: issueUrl }],
    };
    const res = await client.post(transaction(entry(detectedIssue(randomUUID()), issueUrl), entry(encounter)), token);
    expect(res.status).toBe(200);
    const body = (await res.json()) as ResponseBundle;
    const issueRef = body.entry[0]?.response.location.replace(/\/_history\/1$/, '');
    const stored = r.records().get(`${encounter.identifier[0]?.system}|${encounter.identifier[0]?.value}`);
    expect((stored?.resource as typeof encounter).reasonReference[0]?.reference).toBe(issueRef);
  });

  it('refuses a resource that breaks the R4 schema with 400 and stores nothing of the transaction', async () => {
    const token = await client.token();
    const good = randomUUID();
    const bad = randomUUID();
    const before = r.records().size;
    const res = await client.post(transaction(entry(detectedIssue(good)), entry(detectedIssue(bad, { status: 12 }))), token);
    expect(res.status).toBe(400);
    const outcome = (await res.json()) as Outcome;
    expect(outcome.resourceType).toBe('OperationOutcome');
    expect(outcome.issue.some((i) => i.diagnostics.includes('DetectedIssue/status'))).toBe(true);
    expect(r.records().size).toBe(before);
    expect(r.records().has(keyOf(good))).toBe(false);
    expect(r.stats.rejected.at(-1)?.status).toBe(400);
  });

  it('refuses entries a transaction may not hold, and bodies that are not a transaction', async () => {
    const token = await client.token();
    const wrongUrl = { ...entry(detectedIssue(randomUUID())), request: { method: 'POST', url: 'Encounter' } };
    const put = { ...entry(detectedIssue(randomUUID())), request: { method: 'PUT', url: 'DetectedIssue/1' } };
    const { fullUrl: _fullUrl, ...noFullUrl } = entry(detectedIssue(randomUUID()));
    for (const bad of [
      transaction(wrongUrl),
      transaction(put),
      transaction(noFullUrl),
      { ...transaction(), type: 'batch' },
      detectedIssue(randomUUID()),
    ]) {
      const res = await client.post(bad, token);
      expect(res.status).toBe(400);
      expect(((await res.json()) as Outcome).resourceType).toBe('OperationOutcome');
    }
    expect((await client.post('{not json', token)).status).toBe(400);
    expect((await client.post(transaction(), token, { contentType: 'text/plain' })).status).toBe(415);
  });

  it('refuses a replayed, misaddressed or long-lived client assertion, and a token request without DPoP', async () => {
    const assertion = await client.assertion();
    expect((await client.tokenResponse({ assertion })).status).toBe(200);
    const replay = await client.tokenResponse({ assertion });
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ error: 'invalid_client' });

    const wrongAud = await client.tokenResponse({ assertion: await client.assertion({ aud: `${r.baseUrl}/token` }) });
    expect(await wrongAud.json()).toMatchObject({ error: 'invalid_client' });
    const longLived = await client.tokenResponse({ assertion: await client.assertion({ exp: '1h' }) });
    expect(await longLived.json()).toMatchObject({ error: 'invalid_client' });
    const noProof = await client.tokenResponse({ dpop: null });
    expect(noProof.status).toBe(400);
    expect(await noProof.json()).toMatchObject({ error: 'invalid_dpop_proof' });
    const wrongHtu = await client.tokenResponse({ dpop: await client.proof('POST', r.baseUrl) });
    expect(await wrongHtu.json()).toMatchObject({ error: 'invalid_dpop_proof' });
  });

  it('answers 401 with a challenge for a missing or unknown token, a proof for another URL, or a replayed proof', async () => {
    const token = await client.token();
    const bundle = transaction(entry(detectedIssue(randomUUID())));

    const wrongHtu = await client.post(bundle, token, { htu: `${r.baseUrl}/DetectedIssue` });
    expect(wrongHtu.status).toBe(401);
    expect(wrongHtu.headers.get('www-authenticate')).toMatch(/^DPoP .*error="invalid_dpop_proof"/);

    const missing = await fetch(r.baseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify(bundle),
    });
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^DPoP algs="ES256"/);
    expect(((await missing.json()) as Outcome).issue[0]?.code).toBe('login');

    const unknown = await client.post(bundle, 'not-a-token');
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get('www-authenticate')).toContain('error="invalid_token"');

    const asBearer = await fetch(r.baseUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' },
      body: JSON.stringify(bundle),
    });
    expect(asBearer.status).toBe(401);

    const proof = await client.proof('POST', r.baseUrl, token);
    expect((await client.post(bundle, token, { proof })).status).toBe(200);
    expect((await client.post(bundle, token, { proof })).status).toBe(401);
    expect(r.stats.rejected.filter((x) => x.status === 401).length).toBeGreaterThanOrEqual(5);
  });

  it('is unreachable when down, for the token endpoint too, and back when ok', async () => {
    const token = await client.token();
    r.setMode('down');
    await expect(client.tokenResponse()).rejects.toThrow();
    await expect(client.post(transaction(entry(detectedIssue(randomUUID()))), token)).rejects.toThrow();
    r.setMode('ok');
    expect((await client.post(transaction(entry(detectedIssue(randomUUID()))), token)).status).toBe(200);
  });

  it('answers 500 with an OperationOutcome and stores nothing in mode 500', async () => {
    const token = await client.token();
    const alarmId = randomUUID();
    r.setMode('500');
    const res = await client.post(transaction(entry(detectedIssue(alarmId))), token);
    expect(res.status).toBe(500);
    expect(((await res.json()) as Outcome).resourceType).toBe('OperationOutcome');
    expect(r.records().has(keyOf(alarmId))).toBe(false);
  });

  it('stores and never answers in timeout-after-store, and a retry does not make a second record', async () => {
    const token = await client.token();
    const alarmId = randomUUID();
    const bundle = transaction(entry(detectedIssue(alarmId)));
    r.setMode('timeout-after-store');
    await expect(client.post(bundle, token, { signal: AbortSignal.timeout(500) })).rejects.toThrow(/timeout|aborted/i);
    expect(r.records().has(keyOf(alarmId))).toBe(true);

    r.setMode('ok');
    const retry = await client.post(bundle, token);
    expect(retry.status).toBe(200);
    expect(((await retry.json()) as ResponseBundle).entry[0]?.response.status).toBe('200 OK');
    expect([...r.records().keys()].filter((k) => k.startsWith(keyOf(alarmId)))).toHaveLength(1);
  });

  it('accepts with 202 and a Location that answers 202 until the EPJ has journaled it, then 200', async () => {
    const token = await client.token();
    const alarmId = randomUUID();
    r.setMode('accept-202');
    const res = await client.post(transaction(entry(detectedIssue(alarmId))), token);
    expect(res.status).toBe(202);
    const location = res.headers.get('location') ?? '';
    expect(location).toMatch(new RegExp(`^${r.baseUrl}/_async/[\\w-]+$`));
    expect(r.records().get(keyOf(alarmId))?.journaled).toBe(false);

    expect((await client.get(location, token)).status).toBe(202);
    r.journalPending();
    const done = await client.get(location, token);
    expect(done.status).toBe(200);
    const body = (await done.json()) as ResponseBundle;
    expect(body.type).toBe('transaction-response');
    expect(body.entry[0]?.response.status).toBe('201 Created');
    expect(r.records().get(keyOf(alarmId))?.journaled).toBe(true);

    const proofForPost = await client.proof('POST', location, token);
    const wrongMethod = await fetch(location, { headers: { authorization: `DPoP ${token}`, dpop: proofForPost } });
    expect(wrongMethod.status).toBe(401);
  });

  it('answers 404 elsewhere and 413 for a body over 5 MB', async () => {
    const token = await client.token();
    const notFound = await fetch(`${r.baseUrl}/metadata`);
    expect(notFound.status).toBe(404);
    expect(((await notFound.json()) as Outcome).resourceType).toBe('OperationOutcome');
    const big = await client.post(JSON.stringify({ padding: 'x'.repeat(5 * 1024 * 1024) }), token);
    expect(big.status).toBe(413);
  });
});

describe('the stand-in FHIR journal without DPoP, with short-lived tokens', () => {
  it('takes a Bearer token and refuses it once expired', async () => {
    const r = await startFhirReceiver({ requireDpop: false, tokenTtlS: 1 });
    try {
      const client = await Client.of(r);
      const res = await client.tokenResponse({ dpop: null });
      const body = (await res.json()) as { access_token: string; token_type: string; expires_in: number };
      expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 1 });
      const post = () =>
        fetch(r.baseUrl, {
          method: 'POST',
          headers: { authorization: `Bearer ${body.access_token}`, 'content-type': 'application/fhir+json' },
          body: JSON.stringify(transaction(entry(detectedIssue(randomUUID())))),
        });
      expect((await post()).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const expired = await post();
      expect(expired.status).toBe(401);
      expect(expired.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
      expect(r.stats).toMatchObject({ tokenRequests: 1, posts: 2, created: 1 });
    } finally {
      await r.close();
    }
  });
});
