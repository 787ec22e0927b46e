/**
 * Typed door to the `sip` package (kirm/sip.js): its RFC 3261 message parser and serialiser,
 * its non-INVITE transaction layer (retransmissions, Timer E/F/J) and its digest arithmetic.
 * The package ships CommonJS without types; the shapes below are what it produces.
 *
 * The package is patched (patches/sip+0.0.6.patch, applied by patch-package at install): bare LF
 * line endings are read, and a transaction without an RFC 3261 branch is matched as RFC 3261
 * §17.2.3 says (CSeq, tags, Request-URI and Via), not by its Call-ID alone. Responses a user
 * agent server sends go through `respond`, which adds the To tag (§8.2.6.2) the package's
 * generic `makeResponse` (also a proxy's tool) leaves out.
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export type Params = Record<string, string | number | null | undefined>;

export interface NameAddr {
  name?: string;
  uri: string;
  params: Params;
}

export interface Via {
  version: string;
  protocol: string;
  host: string;
  port?: number;
  params: Params;
}

export interface AuthHeader {
  scheme: string;
  [param: string]: string | undefined;
}

export interface SipUri {
  schema: string;
  user?: string;
  password?: string;
  host: string;
  port?: number;
  params: Params;
  headers: Record<string, string>;
}

export interface SipHeaders {
  via: Via[];
  to: NameAddr;
  from: NameAddr;
  'call-id': string;
  cseq: { seq: number; method: string };
  contact?: NameAddr[] | '*';
  authorization?: AuthHeader[];
  'www-authenticate'?: AuthHeader[];
  'content-type'?: string;
  'content-length'?: number;
  expires?: string | number;
  'max-forwards'?: number;
  [name: string]: unknown;
}

/** A parsed SIP message. `content` is a binary (latin1) string: one char per byte. */
export interface SipMessage {
  method?: string;
  uri?: string;
  version?: string;
  status?: number;
  reason?: string;
  headers: SipHeaders;
  content?: string;
}

/** Where a message came from / goes to, and over which of our sockets. */
export interface Flow {
  protocol: 'UDP' | 'TCP' | 'TLS';
  address: string;
  port: number;
  local?: { address: string; port: number };
  /** TCP and TLS: which connection (a new one from the same address and port is another flow). */
  connection?: number;
}

/** A connection as the transaction layer sees it. */
export interface Connection {
  send(m: SipMessage): void;
  release(): void;
  protocol: string;
}

export interface ServerTransaction {
  send(m: SipMessage): void;
  message(m: SipMessage, remote?: Flow): void;
  shutdown(): void;
}

export interface ClientTransaction {
  message(m: SipMessage, remote?: Flow): void;
  shutdown(): void;
}

export interface TransactionLayer {
  createServerTransaction(rq: SipMessage, cn: Connection): ServerTransaction;
  createClientTransaction(cn: Connection, rq: SipMessage, callback: (rs: SipMessage) => void): ClientTransaction;
  getServer(m: SipMessage): ServerTransaction | undefined;
  getClient(m: SipMessage): ClientTransaction | undefined;
  destroy(): void;
}

interface SipModule {
  parse(s: string): SipMessage | undefined;
  stringify(m: SipMessage): string;
  makeResponse(
    rq: SipMessage,
    status: number,
    reason?: string,
    ext?: { headers?: Record<string, unknown>; content?: string },
  ): SipMessage;
  parseUri(s: string): SipUri | undefined;
  stringifyUri(u: SipUri | string): string;
  makeTransactionLayer(options: object, open: (target: Flow, onError?: (e: Error) => void) => Connection): TransactionLayer;
  generateBranch(): string;
}

interface DigestModule {
  calculateDigest(ctx: {
    ha1: string;
    method: string;
    nonce: string;
    nc?: string;
    cnonce?: string;
    qop?: string;
    uri: string;
    entity?: string;
  }): string;
  kd(...parts: string[]): string;
}

export const sip = require('sip') as SipModule;
export const digest = require('sip/digest') as DigestModule;

/**
 * A response from Trygg as a user agent server: the package's `makeResponse`, plus a To tag when
 * the request had none (RFC 3261 §8.2.6.2; 100 Trying excepted). The request is not changed.
 */
export function respond(
  rq: SipMessage,
  status: number,
  reason: string,
  ext?: { headers?: Record<string, unknown>; content?: string },
): SipMessage {
  const rs = sip.makeResponse(rq, status, reason, ext);
  const to = rq.headers.to;
  if (status > 100 && to && (to.params.tag === undefined || to.params.tag === null)) {
    rs.headers.to = { ...to, params: { ...to.params, tag: randomBytes(6).toString('hex') } };
  }
  return rs;
}
