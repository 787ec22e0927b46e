/**
 * A SCAIP unit (SS 91100) as the simulator and the tests play it: a SIP user agent over UDP or
 * TCP that registers with digest, sends `<mrq>` in MESSAGE requests and takes `<mrs>` replies,
 * either in a new MESSAGE from the receiver (answered 200 OK) or in the 200 OK body. It polls
 * while told to hold (`snu=4`), as a unit must. Like a unit in the field it re-registers before
 * its registration runs out (at 80 % of what the receiver granted), answers a challenge to a
 * MESSAGE with its digest credentials, and can have its NAT mapping change (`rebind`) or its TCP
 * connection replaced (`reconnect`) without registering again.
 */
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import tls from 'node:tls';
import { digest, sip, type SipMessage } from './sip.js';

export interface ScaipUnitOptions {
  host: string;
  port: number;
  transport?: 'UDP' | 'TCP' | 'TLS';
  /** TLS: verify the receiver's certificate (default true); the service's own self-test on loopback turns it off. */
  verifyTls?: boolean;
  username: string;
  password: string;
  cid: string;
  /** Realm of the receiver (only to build the AOR). */
  domain?: string;
}

export interface MrsReply {
  ref: string;
  snu: number;
  fields: Record<string, string>;
  raw: string;
}

interface Waiter {
  test: (m: SipMessage) => boolean;
  resolve: (m: SipMessage) => void;
}

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Reads an `<mrs>` body (the unit trusts its receiver; a regex is enough here). */
export function readMrs(body: string): MrsReply | null {
  if (!/<mrs>/.test(body)) return null;
  const fields: Record<string, string> = {};
  for (const m of body.matchAll(/<(\w+)>([^<]*)<\/\1>/g)) if (m[1] && m[1] !== 'mrs') fields[m[1]] = m[2] ?? '';
  return { ref: fields.ref ?? '', snu: Number(fields.snu), fields, raw: body };
}

/**
 * Cuts a SIP stream (TCP, TLS) into messages by its blank line and Content-Length (RFC 3261
 * §18.3); feed it the stream's latin1 chunks.
 */
export function sipStreamFramer(onMessage: (raw: string) => void): (chunk: string) => void {
  let buf = '';
  return (chunk) => {
    buf += chunk;
    for (;;) {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const len = Number(/\r\ncontent-length\s*:\s*(\d+)/i.exec(buf.slice(0, end + 2))?.[1] ?? 0);
      if (buf.length < end + 4 + len) return;
      onMessage(buf.slice(0, end + 4 + len));
      buf = buf.slice(end + 4 + len);
    }
  };
}

export function mrqXml(fields: Record<string, string | undefined>): string {
  const parts = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `<${k}>${v}</${k}>`);
  return `<?xml version="1.0" encoding="UTF-8"?><mrq>${parts.join('')}</mrq>`;
}

export class ScaipUnit {
  private udp: dgram.Socket | null = null;
  private tcp: net.Socket | null = null;
  private localPort = 0;
  private seq = 1;
  private readonly callId = randomBytes(8).toString('hex');
  private readonly tag = randomBytes(4).toString('hex');
  private waiters: Waiter[] = [];
  /** `<mrs>` replies received in MESSAGEs, by ref, oldest first. */
  private readonly inbox: MrsReply[] = [];
  private refNo = Math.floor(Math.random() * 1e6);
  private reregister: NodeJS.Timeout | null = null;
  private reregisterAt: number | null = null;

  constructor(private readonly opts: ScaipUnitOptions) {}

  /** Seconds until the unit registers again on its own (null when it will not). */
  get reregistersInS(): number | null {
    return this.reregisterAt === null ? null : (this.reregisterAt - Date.now()) / 1000;
  }

  /** The local port the unit sends from (its flow, as the receiver sees it). */
  get port(): number {
    return this.localPort;
  }

  get transport(): 'UDP' | 'TCP' | 'TLS' {
    return this.opts.transport ?? 'UDP';
  }

  get aor(): string {
    return `sip:${this.opts.username}@${this.opts.domain ?? this.opts.host}`;
  }

  get contact(): string {
    return `sip:${this.opts.username}@127.0.0.1:${this.localPort}${this.transport === 'UDP' ? '' : `;transport=${this.transport.toLowerCase()}`}`;
  }

  /** A fresh session reference (SS 91100 `ref`). */
  nextRef(): string {
    this.refNo += 1;
    return `S${this.refNo.toString(36).toUpperCase()}`;
  }

  async start(): Promise<void> {
    if (this.transport === 'UDP') {
      await this.bindUdp();
      return;
    }
    await this.connectTcp();
  }

  async stop(): Promise<void> {
    if (this.reregister) clearTimeout(this.reregister);
    this.reregister = null;
    this.tcp?.destroy();
    const u = this.udp;
    this.udp = null;
    if (u) await new Promise<void>((resolve) => u.close(() => resolve()));
  }

  /** The NAT in front of the unit gives it a new public port: same unit, new flow, no new REGISTER. */
  async rebind(): Promise<void> {
    const old = this.udp;
    this.udp = null;
    if (old) await new Promise<void>((resolve) => old.close(() => resolve()));
    await this.bindUdp();
  }

  /** The unit's TCP connection is replaced (a mobile network dropped it): no new REGISTER. */
  async reconnect(): Promise<void> {
    this.tcp?.destroy();
    this.tcp = null;
    await this.connectTcp();
  }

  /** Raw bytes on the unit's own socket (tests: messages no well-behaved stack would send). */
  send(raw: string | Buffer): void {
    const buf = Buffer.isBuffer(raw) ? raw : Buffer.from(raw, 'latin1');
    if (this.udp) this.udp.send(buf, this.opts.port, this.opts.host);
    else this.tcp?.write(buf);
  }

  private async bindUdp(): Promise<void> {
    const s = dgram.createSocket('udp4');
    s.on('message', (buf) => this.onData(buf.toString('latin1')));
    await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', () => resolve()));
    this.udp = s;
    this.localPort = s.address().port;
  }

  private async connectTcp(): Promise<void> {
    const secure = this.transport === 'TLS';
    const s = secure
      ? tls.connect({ host: this.opts.host, port: this.opts.port, rejectUnauthorized: this.opts.verifyTls ?? true })
      : net.connect({ host: this.opts.host, port: this.opts.port });
    await new Promise<void>((resolve, reject) => {
      s.once(secure ? 'secureConnect' : 'connect', () => resolve());
      s.once('error', reject);
    });
    s.on('error', () => undefined);
    s.setEncoding('latin1');
    s.on(
      'data',
      sipStreamFramer((m) => this.onData(m)),
    );
    this.tcp = s;
    this.localPort = s.localPort ?? 0;
  }

  /**
   * REGISTER with digest; resolves with the final status. With `keep` (the default), registers
   * again before the granted time runs out, as units do, for as long as the unit runs.
   */
  async register(expires = 3600, opts: { keep?: boolean } = {}): Promise<number> {
    const rq = this.request('REGISTER', `sip:${this.opts.domain ?? this.opts.host}`, {
      contact: [{ uri: this.contact, params: {} }],
      expires: String(expires),
    });
    let rs = await this.transact(rq);
    if (rs.status === 401) {
      const again = this.request('REGISTER', rq.uri ?? '', { contact: rq.headers.contact, expires: String(expires) });
      digest.signRequest(null, again, rs, { user: this.opts.username, password: this.opts.password });
      rs = await this.transact(again);
    }
    if (this.reregister) clearTimeout(this.reregister);
    this.reregister = null;
    this.reregisterAt = null;
    const granted = Number(rs.headers.expires ?? expires);
    if (rs.status === 200 && opts.keep !== false && expires > 0 && granted > 0) {
      const inMs = Math.max(1, granted * 0.8) * 1000;
      this.reregisterAt = Date.now() + inMs;
      this.reregister = setTimeout(() => void this.register(expires, opts).catch(() => undefined), inMs);
      this.reregister.unref();
    }
    return rs.status ?? 0;
  }

  /**
   * Sends one MESSAGE with `body` (raw bytes allowed) and waits for the SIP answer and, when it
   * is 200 OK, the `<mrs>` (in the 200 OK body or in a MESSAGE from the receiver).
   */
  async message(
    body: string | Buffer,
    opts: { contentType?: string | null; ref?: string | null; timeoutMs?: number; authenticate?: boolean } = {},
  ): Promise<{ status: number; mrs: MrsReply | null }> {
    const content = Buffer.isBuffer(body) ? body.toString('latin1') : Buffer.from(body, 'utf8').toString('latin1');
    const rq = this.request(
      'MESSAGE',
      `sip:receiver@${this.opts.host}:${this.opts.port}`,
      opts.contentType === null ? {} : { 'content-type': opts.contentType ?? 'application/scaip+xml' },
    );
    rq.content = content;
    let rs = await this.transact(rq);
    if (rs.status === 401 && opts.authenticate !== false) {
      // Challenged (its registration ran out, or it speaks from a new flow): prove itself and resend.
      const again = this.request('MESSAGE', rq.uri ?? '', { 'content-type': rq.headers['content-type'] });
      again.content = content;
      digest.signRequest(null, again, rs, { user: this.opts.username, password: this.opts.password });
      rs = await this.transact(again);
    }
    if (rs.status !== 200) return { status: rs.status ?? 0, mrs: null };
    const inOk = rs.content ? readMrs(Buffer.from(rs.content, 'latin1').toString('utf8')) : null;
    if (inOk) return { status: 200, mrs: inOk };
    const ref = opts.ref === undefined ? (/<ref>\s*([^<\s]{1,64})\s*<\/ref>/.exec(body.toString())?.[1] ?? null) : opts.ref;
    return { status: 200, mrs: await this.nextMrs(ref, opts.timeoutMs ?? 10_000) };
  }

  /** An `<mrq>` with this unit's cid. */
  async mrq(
    fields: Record<string, string | undefined>,
    opts: Parameters<ScaipUnit['message']>[1] = {},
  ): Promise<{ status: number; mrs: MrsReply | null }> {
    return this.message(mrqXml({ cid: this.opts.cid, ...fields }), opts);
  }

  /** An alarm; polls while held until `snu` is not 4 or `maxPolls` is reached. Returns every reply. */
  async alarm(
    ref: string,
    fields: Record<string, string | undefined> = {},
    opts: { pollMs?: number; maxPolls?: number; onHold?: (n: number) => void } = {},
  ): Promise<MrsReply[]> {
    const replies: MrsReply[] = [];
    for (let n = 0; n < (opts.maxPolls ?? 60); n++) {
      const { mrs } = await this.mrq({ ref, dty: '0003', ...fields });
      if (!mrs) throw new Error(`no <mrs> for ${ref}`);
      replies.push(mrs);
      if (mrs.snu !== 4) return replies;
      opts.onHold?.(n + 1);
      await tick(opts.pollMs ?? 5000); // SS 91100: poll again after 5–20 s
    }
    return replies;
  }

  cancel(ref: string, dty = '0003') {
    return this.mrq({ ref, dty, stc: '0019' });
  }

  heartbeat(ref = this.nextRef()) {
    return this.mrq({ ref, mty: 'PI', dty: '0003' });
  }

  private async nextMrs(ref: string | null, timeoutMs: number): Promise<MrsReply | null> {
    const take = () => {
      const i = this.inbox.findIndex((m) => ref === null || m.ref === ref || m.ref === '');
      return i >= 0 ? this.inbox.splice(i, 1)[0] : undefined;
    };
    for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await tick(5)) {
      const hit = take();
      if (hit) return hit;
    }
    return null;
  }

  private request(method: string, uri: string, headers: Record<string, unknown>): SipMessage {
    return {
      method,
      uri,
      version: '2.0',
      headers: {
        via: [
          {
            version: '2.0',
            protocol: this.transport,
            host: '127.0.0.1',
            port: this.localPort,
            params: { branch: `z9hG4bK${randomBytes(6).toString('hex')}`, ...(this.transport === 'UDP' ? { rport: null } : {}) },
          },
        ],
        from: { uri: this.aor, params: { tag: this.tag } },
        to: { uri: this.aor, params: {} },
        'call-id': this.callId,
        cseq: { seq: this.seq++, method },
        'max-forwards': 70,
        ...headers,
      },
    };
  }

  /** Sends and waits for the final response, retransmitting over UDP (RFC 3261 Timer E). */
  private async transact(rq: SipMessage): Promise<SipMessage> {
    const branch = String(rq.headers.via[0]?.params.branch);
    const final = new Promise<SipMessage>((resolve) => {
      this.waiters.push({
        test: (m) => m.status !== undefined && m.status >= 200 && String(m.headers.via[0]?.params.branch) === branch,
        resolve,
      });
    });
    const wire = sip.stringify(rq);
    this.write(wire);
    let interval = 500;
    let done = false;
    void final.then(() => (done = true));
    for (let waited = 0; !done && waited < 32_000;) {
      const step = this.transport === 'UDP' ? interval : 32_000;
      const r = await Promise.race([final.then(() => true), tick(step).then(() => false)]);
      if (r) break;
      waited += step;
      interval = Math.min(interval * 2, 4000);
      if (this.transport === 'UDP') this.write(wire);
    }
    return Promise.race([final, tick(10).then(() => sip.makeResponse(rq, 408, 'Request Timeout'))]);
  }

  private write(wire: string): void {
    if (this.udp) this.udp.send(Buffer.from(wire, 'latin1'), this.opts.port, this.opts.host);
    else this.tcp?.write(wire, 'latin1');
  }

  private onData(data: string): void {
    const m = sip.parse(data);
    if (!m) return;
    if (m.method === 'MESSAGE') {
      // The receiver's <mrs> in a new MESSAGE: take it and answer 200 OK.
      const mrs = readMrs(Buffer.from(m.content ?? '', 'latin1').toString('utf8'));
      if (mrs) this.inbox.push(mrs);
      const rs = sip.makeResponse(m, 200, 'OK');
      const via = m.headers.via[0];
      const wire = sip.stringify(rs);
      if (this.udp && via) {
        const port = typeof via.params.rport === 'number' ? via.params.rport : (via.port ?? 5060);
        this.udp.send(Buffer.from(wire, 'latin1'), Number(port) || this.opts.port, this.opts.host);
      } else this.tcp?.write(wire, 'latin1');
      return;
    }
    if (m.status !== undefined) {
      const i = this.waiters.findIndex((w) => w.test(m));
      if (i >= 0) this.waiters.splice(i, 1)[0]?.resolve(m);
    }
  }
}
