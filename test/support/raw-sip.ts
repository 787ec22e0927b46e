/**
 * A raw SIP peer for tests: a UDP socket (or TCP connection) on an address of its choosing that
 * sends exactly the bytes a test writes (bare LF, no branch, odd content types, replays) and
 * reads what comes back with its own small parser, independent of the `sip` package the receiver
 * uses (streams are framed as the simulated unit frames them). It answers the receiver's `<mrs>` MESSAGEs with 200 OK and keeps them, and signs requests
 * with digest (RFC 2617, qop=auth) computed here.
 */
import { createHash, randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import { sipStreamFramer } from '@trygg/simulators';

export interface RawMessage {
  /** Request method, or undefined for a response. */
  method?: string;
  status?: number;
  /** Header values by lower-case name (the last one wins; `via` keeps them all). */
  headers: Record<string, string>;
  vias: string[];
  body: string;
  raw: string;
}

export function parseRaw(raw: string): RawMessage | null {
  const split = /\r?\n\r?\n/.exec(raw);
  const head = split ? raw.slice(0, split.index) : raw;
  const body = split ? raw.slice(split.index + split[0].length) : '';
  const lines = head.split(/\r?\n/);
  const first = lines.shift() ?? '';
  const headers: Record<string, string> = {};
  const vias: string[] = [];
  for (const line of lines) {
    const i = line.indexOf(':');
    if (i < 0) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    const value = line.slice(i + 1).trim();
    headers[name] = value;
    if (name === 'via' || name === 'v') vias.push(value);
  }
  const status = /^SIP\/2\.0 (\d{3})/.exec(first);
  if (status) return { status: Number(status[1]), headers, vias, body, raw };
  const request = /^([A-Z]+) \S+ SIP\/2\.0$/.exec(first);
  if (request) return { method: request[1], headers, vias, body, raw };
  return null;
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

/** The `Authorization` header answering `wwwAuthenticate` for this request (RFC 2617 §3.2.2, qop=auth). */
export function authorization(
  wwwAuthenticate: string,
  creds: { username: string; password: string },
  method: string,
  uri: string,
  nc = 1,
): string {
  const param = (name: string) => new RegExp(`${name}="?([^",]+)"?`, 'i').exec(wwwAuthenticate)?.[1] ?? '';
  const realm = param('realm');
  const nonce = param('nonce');
  const cnonce = randomBytes(4).toString('hex');
  const ncHex = nc.toString(16).padStart(8, '0');
  const ha1 = md5(`${creds.username}:${realm}:${creds.password}`);
  const response = md5(`${ha1}:${nonce}:${ncHex}:${cnonce}:auth:${md5(`${method}:${uri}`)}`);
  return `Digest username="${creds.username}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=MD5, qop=auth, nc=${ncHex}, cnonce="${cnonce}"`;
}

export interface RawPeerOptions {
  transport: 'UDP' | 'TCP';
  /** Trygg's SIP port for that transport. */
  port: number;
  /** Our own address (a loopback address such as 127.0.0.2 is another host). */
  localAddress?: string;
}

export class RawSipPeer {
  private udp: dgram.Socket | null = null;
  private tcp: net.Socket | null = null;
  private readonly received: RawMessage[] = [];
  /** Whether the TCP connection was closed by the other side. */
  closed = false;
  localPort = 0;

  constructor(private readonly opts: RawPeerOptions) {}

  get localAddress(): string {
    return this.opts.localAddress ?? '127.0.0.1';
  }

  async start(): Promise<this> {
    if (this.opts.transport === 'UDP') {
      const s = dgram.createSocket('udp4');
      s.on('message', (buf) => this.take(buf.toString('latin1')));
      await new Promise<void>((resolve) => s.bind(0, this.localAddress, () => resolve()));
      this.udp = s;
      this.localPort = s.address().port;
      return this;
    }
    const s = net.connect({ host: '127.0.0.1', port: this.opts.port, localAddress: this.localAddress });
    await new Promise<void>((resolve, reject) => {
      s.once('connect', () => resolve());
      s.once('error', reject);
    });
    s.on('error', () => undefined);
    s.on('close', () => (this.closed = true));
    s.setEncoding('latin1');
    s.on(
      'data',
      sipStreamFramer((raw) => this.take(raw)),
    );
    this.tcp = s;
    this.localPort = s.localPort ?? 0;
    return this;
  }

  async stop(): Promise<void> {
    this.tcp?.destroy();
    const u = this.udp;
    this.udp = null;
    if (u) await new Promise<void>((resolve) => u.close(() => resolve()));
  }

  /** Sends these bytes as they are. */
  send(raw: string | Buffer): void {
    const buf = Buffer.isBuffer(raw) ? raw : Buffer.from(raw, 'latin1');
    if (this.udp) this.udp.send(buf, this.opts.port, '127.0.0.1');
    else this.tcp?.write(buf);
  }

  /** The next message (in arrival order) that `test` accepts, or null after `timeoutMs`. */
  async next(test: (m: RawMessage) => boolean, timeoutMs = 5000): Promise<RawMessage | null> {
    for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await new Promise((r) => setTimeout(r, 5))) {
      const i = this.received.findIndex(test);
      if (i >= 0) return this.received.splice(i, 1)[0] ?? null;
    }
    return null;
  }

  /** The final response to the request with this CSeq number (and Call-ID). */
  response(callId: string, cseq: number, timeoutMs = 5000): Promise<RawMessage | null> {
    return this.next(
      (m) =>
        m.status !== undefined &&
        m.status >= 200 &&
        m.headers['call-id'] === callId &&
        m.headers.cseq?.startsWith(`${cseq} `) === true,
      timeoutMs,
    );
  }

  /** The next `<mrs>` Trygg sent (in a MESSAGE we answered) with this ref. */
  mrs(ref: string, timeoutMs = 5000): Promise<RawMessage | null> {
    return this.next((m) => m.method === 'MESSAGE' && m.body.includes(`<ref>${ref}</ref>`), timeoutMs);
  }

  private take(raw: string): void {
    const m = parseRaw(raw);
    if (!m) return;
    this.received.push(m);
    if (m.method === 'MESSAGE') {
      // The <mrs>: answered 200 OK as a unit does (RFC 3261 §8.2.6: Via, From, To, Call-ID, CSeq copied).
      const rs = [
        'SIP/2.0 200 OK',
        ...m.vias.map((v) => `Via: ${v}`),
        `From: ${m.headers.from ?? ''}`,
        `To: ${m.headers.to ?? ''};tag=${randomBytes(3).toString('hex')}`,
        `Call-ID: ${m.headers['call-id'] ?? ''}`,
        `CSeq: ${m.headers.cseq ?? ''}`,
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
      this.send(rs);
    }
  }
}

/** A SIP request as text (CRLF unless `lf`), Content-Length filled in. */
export function request(opts: {
  method: string;
  uri: string;
  via: string;
  from: string;
  to: string;
  callId: string;
  cseq: number;
  headers?: string[];
  body?: string | Buffer;
  lf?: boolean;
}): Buffer {
  const body =
    opts.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(opts.body) ? opts.body : Buffer.from(opts.body, 'utf8');
  const eol = opts.lf ? '\n' : '\r\n';
  const head = [
    `${opts.method} ${opts.uri} SIP/2.0`,
    `Via: ${opts.via}`,
    `From: ${opts.from}`,
    `To: ${opts.to}`,
    `Call-ID: ${opts.callId}`,
    `CSeq: ${opts.cseq} ${opts.method}`,
    'Max-Forwards: 70',
    ...(opts.headers ?? []),
    `Content-Length: ${body.length}`,
    '',
    '',
  ].join(eol);
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}
