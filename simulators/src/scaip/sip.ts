/**
 * The simulator's typed door to the `sip` package (kirm/sip.js): message parser, serialiser and
 * digest client. The gateway has its own door; the simulator speaks SIP as a unit would, without
 * any of the receiver's code.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export interface SipMessage {
  method?: string;
  uri?: string;
  version?: string;
  status?: number;
  reason?: string;
  headers: Record<string, unknown> & {
    via: { host: string; port?: number; protocol: string; version: string; params: Record<string, unknown> }[];
    'call-id': string;
    cseq: { seq: number; method: string };
    from: { uri: string; params: Record<string, unknown> };
    to: { uri: string; params: Record<string, unknown> };
    'content-type'?: string;
  };
  content?: string;
}

export const sip = require('sip') as {
  parse(s: string): SipMessage | undefined;
  stringify(m: SipMessage): string;
  makeResponse(
    rq: SipMessage,
    status: number,
    reason?: string,
    ext?: { headers?: Record<string, unknown>; content?: string },
  ): SipMessage;
};

export const digest = require('sip/digest') as {
  signRequest(ctx: object | null, rq: SipMessage, rs: SipMessage, creds: { user: string; password: string }): object | null;
};
