/**
 * The receiver's HTTP server: routes /token, POST /fhir and GET /fhir/_async/<id>, applies the
 * failure mode, and records every refusal in the stats.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { issue, mediaType, operationOutcome, readBody, sendFhir, sendJson, type FhirIssueCode, type Issue } from './http.js';
import type { OAuthServer } from './oauth.js';
import type { JournalStore } from './store.js';
import { processTransaction } from './transaction.js';
import type { ReceiverMode, ReceiverStats } from './types.js';

export interface ReceiverState {
  mode: ReceiverMode;
  /** http://127.0.0.1:<port> */
  origin: string;
  baseUrl: string;
  stats: ReceiverStats;
  store: JournalStore;
  oauth: OAuthServer;
  /** Answers held back in `timeout-after-store`, ended by close(). */
  held: Set<ServerResponse>;
}

const FHIR_JSON = new Set(['application/fhir+json', 'application/json']);

/** Attaches the receiver to a listening server. */
export function serve(server: Server, st: ReceiverState): void {
  server.on('connection', (socket: Socket) => {
    if (st.mode === 'down') socket.destroy();
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res, st).catch((e: unknown) => {
      if (res.headersSent) res.destroy();
      else refuseFhir(res, st, 500, 'exception', `receiver failure: ${(e as Error).message}`);
    });
  });
}

function refuseFhir(
  res: ServerResponse,
  st: ReceiverState,
  status: number,
  code: FhirIssueCode,
  reason: string,
  headers: Record<string, string | string[]> = {},
): void {
  refuseWith(res, st, status, [issue(code, reason)], headers);
}

function refuseWith(
  res: ServerResponse,
  st: ReceiverState,
  status: number,
  issues: Issue[],
  headers: Record<string, string | string[]> = {},
): void {
  st.stats.rejected.push({ status, reason: issues.map((i) => i.diagnostics).join('; ') });
  res.setHeader('cache-control', 'no-store');
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  sendFhir(res, status, operationOutcome(issues));
}

async function handle(req: IncomingMessage, res: ServerResponse, st: ReceiverState): Promise<void> {
  const mode = st.mode;
  if (mode === 'down') {
    req.socket.destroy();
    return;
  }
  const path = new URL(req.url ?? '/', st.origin).pathname;
  const asyncJob = /^\/fhir\/_async\/([^/]+)$/.exec(path)?.[1];
  if (req.method === 'POST' && path === '/token') return token(req, res, st);
  if (req.method === 'POST' && (path === '/fhir' || path === '/fhir/')) return transaction(req, res, st, mode, path);
  if (req.method === 'GET' && asyncJob !== undefined) return asyncStatus(req, res, st, mode, path, asyncJob);
  refuseFhir(res, st, 404, 'not-supported', `no ${req.method ?? ''} ${path} here`);
}

async function token(req: IncomingMessage, res: ServerResponse, st: ReceiverState): Promise<void> {
  st.stats.tokenRequests++;
  const noStore = { 'cache-control': 'no-store', pragma: 'no-cache' };
  const body = await readBody(req);
  if (body === null) {
    st.stats.rejected.push({ status: 413, reason: 'token request too large' });
    return sendJson(res, 413, { error: 'invalid_request', error_description: 'request too large' }, 'application/json', noStore);
  }
  const answer = await st.oauth.token(req, mediaType(req), body.toString('utf8'));
  if (answer.ok) return sendJson(res, 200, answer.body, 'application/json', noStore);
  st.stats.rejected.push({ status: 400, reason: `${answer.body.error}: ${answer.body.error_description}` });
  sendJson(res, 400, answer.body, 'application/json', noStore);
}

/** Reads the body and lets the call in; false when it was refused (and answered). */
async function admit(
  req: IncomingMessage,
  res: ServerResponse,
  st: ReceiverState,
  mode: ReceiverMode,
  path: string,
): Promise<Buffer | null> {
  const body = await readBody(req);
  if (body === null) {
    refuseFhir(res, st, 413, 'too-costly', 'request body over 5 MB');
    return null;
  }
  if (mode === '500') {
    refuseFhir(res, st, 500, 'exception', 'the journal failed (mode 500)');
    return null;
  }
  const failure = await st.oauth.authenticate(req, req.method ?? '', `${st.origin}${path}`);
  if (failure) {
    refuseFhir(res, st, 401, failure.code, failure.reason, { 'www-authenticate': failure.challenge });
    return null;
  }
  return body;
}

async function transaction(
  req: IncomingMessage,
  res: ServerResponse,
  st: ReceiverState,
  mode: ReceiverMode,
  path: string,
): Promise<void> {
  st.stats.posts++;
  const raw = await admit(req, res, st, mode, path);
  if (raw === null) return;
  const type = mediaType(req);
  if (!FHIR_JSON.has(type))
    return refuseFhir(res, st, 415, 'not-supported', `content-type ${type || '(none)'}: send application/fhir+json`);
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch (e) {
    return refuseFhir(res, st, 400, 'structure', `the body is not JSON: ${(e as Error).message}`);
  }
  if (mode === 'unknown-patient')
    return refuseFhir(res, st, 422, 'not-found', 'no patient with this identifier in the journal (mode unknown-patient)');
  const result = processTransaction(body, st.store, { baseUrl: st.baseUrl, journaled: mode !== 'accept-202' });
  if (!result.ok) return refuseWith(res, st, result.status, result.issues);
  st.stats.created += result.created;
  st.stats.deduplicated += result.deduplicated;

  if (mode === 'timeout-after-store') {
    // Stored; the answer never comes (the client's timeout fires), until close() drops it.
    st.held.add(res);
    res.on('close', () => st.held.delete(res));
    return;
  }
  if (mode === 'accept-202') {
    const id = st.store.addJob(result.touched, result.response);
    const accepted = {
      severity: 'information',
      code: 'informational',
      diagnostics: 'accepted; the EPJ has not journaled it yet',
    } as const;
    return sendFhir(res, 202, operationOutcome([accepted]), { location: `${st.baseUrl}/_async/${id}`, 'retry-after': '1' });
  }
  sendFhir(res, 200, result.response);
}

async function asyncStatus(
  req: IncomingMessage,
  res: ServerResponse,
  st: ReceiverState,
  mode: ReceiverMode,
  path: string,
  id: string,
): Promise<void> {
  if ((await admit(req, res, st, mode, path)) === null) return;
  const job = st.store.job(id);
  if (job === undefined) return refuseFhir(res, st, 404, 'not-found', `no write job ${id}`);
  if (job === 'pending') {
    const pending = { severity: 'information', code: 'informational', diagnostics: 'not journaled yet' } as const;
    return sendFhir(res, 202, operationOutcome([pending]), { 'retry-after': '1' });
  }
  sendFhir(res, 200, job.response);
}
