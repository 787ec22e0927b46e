/**
 * SIP transports (RFC 3261 §18) over UDP, TCP and TLS: sockets we own, so ports can be 0 in tests,
 * bind errors reject `start()` instead of crashing, and sizes are limited before anything is
 * parsed. Messages are parsed and serialised by the `sip` package. A stream message whose
 * Content-Length is over the limit is delivered without its body (marked `tooLarge`, answered
 * 413 by the receiver) and its bytes are skipped, so one hostile unit cannot exhaust memory.
 *
 * Lenient where units in the field deviate harmlessly: CRLFs before a message (keep-alives that
 * share a datagram with it), bare LF line endings (the patched parser; on streams too).
 * Strict where a stranger could starve the units: a stream must deliver its first message soon
 * after it opens and finish a message it has started, one address may hold only so many streams,
 * and every stream has an idle limit (a unit's keep-alives keep it open).
 *
 * Each stream has an id, carried on its flow: a registration made over a stream trusts that
 * connection, not whoever later connects from the same address and port.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from '@trygg/alarm-core';
import { sip, type Connection, type Flow, type SipMessage } from './sip-lib.js';

export interface StreamLimits {
  /** Streams one address may hold at once (a care home's units share one NAT address). */
  perAddress: number;
  /** A new stream must deliver a complete first message within this, ms. */
  firstMessageMs: number;
  /** A message started on a stream must be complete within this, ms (a slow or partial header). */
  messageMs: number;
  /** A stream with no bytes at all for this long is closed, ms. */
  idleMs: number;
}

export const DEFAULT_STREAM_LIMITS: StreamLimits = {
  perAddress: 256,
  firstMessageMs: 30_000,
  messageMs: 10_000,
  idleMs: 15 * 60_000,
};

export interface TransportOptions {
  host: string;
  /** null = that transport is off. */
  udpPort: number | null;
  tcpPort: number | null;
  tlsPort: number | null;
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** The host we put in Via and From (defaults to the bound address, or 127.0.0.1 for 0.0.0.0). */
  advertisedHost?: string;
  maxBodyBytes: number;
  streams?: Partial<StreamLimits>;
  logger: Logger;
}

export type OnSipMessage = (m: SipMessage, flow: Flow, tooLarge: boolean) => void;
/** Bytes that are no SIP message Trygg can read (or a stream refused): for the receiver's count and log. */
export type OnMalformed = (flow: Flow, detail: string) => void;

const MAX_HEADER_BYTES = 8192;
/** Kernel buffer for datagrams waiting to be read: a burst of units must not overflow it silently. */
const UDP_RECV_BUFFER = 4 * 1024 * 1024;

/** `::ffff:127.0.0.1` and `127.0.0.1` are one peer. */
function plain(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

function wellFormed(m: SipMessage | undefined): m is SipMessage {
  const h = m?.headers;
  return !!h && Array.isArray(h.via) && h.via.length > 0 && !!h['call-id'] && !!h.to && !!h.from && !!h.cseq;
}

/** A message that names a Via, so it can be answered (400) although it lacks something else. */
function answerable(m: SipMessage | undefined): m is SipMessage {
  return !!m?.method && Array.isArray(m.headers.via) && m.headers.via.length > 0;
}

/** Where the header block ends: CRLF CRLF, or LF LF from a stack that sends bare LF. */
function headerEnd(buf: string): { at: number; length: number } | null {
  const crlf = buf.indexOf('\r\n\r\n');
  const lf = buf.indexOf('\n\n');
  if (crlf < 0 && lf < 0) return null;
  if (lf >= 0 && (crlf < 0 || lf < crlf)) return { at: lf, length: 2 };
  return { at: crlf, length: 4 };
}

let nextStreamId = 1;

export class SipTransport {
  private udp: dgram.Socket | null = null;
  private tcp: net.Server | null = null;
  private tlsServer: tls.Server | null = null;
  private readonly streams = new Map<string, net.Socket>();
  private readonly streamIds = new WeakMap<net.Socket, number>();
  private readonly perAddress = new Map<string, number>();
  private onMessage: OnSipMessage = () => undefined;
  private onMalformed: OnMalformed = () => undefined;
  private readonly limits: StreamLimits;

  constructor(private readonly opts: TransportOptions) {
    this.limits = { ...DEFAULT_STREAM_LIMITS, ...opts.streams };
  }

  /** Bound ports (the real ones when 0 was asked for); null when off. */
  get ports(): { udp: number | null; tcp: number | null; tls: number | null } {
    const tcpAddr = this.tcp?.address();
    const tlsAddr = this.tlsServer?.address();
    return {
      udp: this.udp ? this.udp.address().port : null,
      tcp: typeof tcpAddr === 'object' && tcpAddr ? tcpAddr.port : null,
      tls: typeof tlsAddr === 'object' && tlsAddr ? tlsAddr.port : null,
    };
  }

  get host(): string {
    if (this.opts.advertisedHost) return this.opts.advertisedHost;
    return this.opts.host === '0.0.0.0' || this.opts.host === '::' ? '127.0.0.1' : this.opts.host;
  }

  /** Open streams (tests and metrics). */
  get streamCount(): number {
    return this.streams.size;
  }

  async start(onMessage: OnSipMessage, onMalformed: OnMalformed = () => undefined): Promise<void> {
    this.onMessage = onMessage;
    this.onMalformed = onMalformed;
    const { opts } = this;
    if (opts.udpPort !== null) {
      const socket = dgram.createSocket({ type: net.isIPv6(opts.host) ? 'udp6' : 'udp4', recvBufferSize: UDP_RECV_BUFFER });
      socket.on('message', (buf, rinfo) => this.datagram(buf, rinfo));
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(opts.udpPort ?? 0, opts.host, () => {
          socket.off('error', reject);
          resolve();
        });
      });
      socket.on('error', (err) => opts.logger.warn({ err: err.message }, 'SIP UDP socket error'));
      this.udp = socket;
    }
    if (opts.tcpPort !== null) {
      this.tcp = await this.listen(
        net.createServer((s) => this.accept(s, 'TCP')),
        opts.tcpPort,
      );
    }
    if (opts.tlsPort !== null) {
      if (!opts.tls) throw new Error('SIP over TLS needs a certificate and key');
      const server = tls.createServer({ cert: opts.tls.cert, key: opts.tls.key, minVersion: 'TLSv1.2' }, (s) =>
        this.accept(s, 'TLS'),
      );
      server.on('tlsClientError', (err) => opts.logger.debug({ err: err.message }, 'SIP TLS handshake failed'));
      this.tlsServer = await this.listen(server, opts.tlsPort);
    }
  }

  async stop(): Promise<void> {
    for (const s of this.streams.values()) s.destroy();
    this.streams.clear();
    const closing: Promise<void>[] = [];
    if (this.udp) {
      const u = this.udp;
      closing.push(new Promise((resolve) => u.close(() => resolve())));
    }
    for (const server of [this.tcp, this.tlsServer]) {
      if (server) closing.push(new Promise((resolve) => server.close(() => resolve())));
    }
    this.udp = null;
    this.tcp = null;
    this.tlsServer = null;
    await Promise.all(closing);
  }

  /**
   * False when a flow names a unit's own connection and that connection has closed (a new one
   * from the unit is another flow). UDP flows, and contacts Trygg connects to itself, are reachable.
   */
  isOpen(flow: Flow): boolean {
    if (flow.protocol === 'UDP') return this.udp !== null;
    if (flow.connection === undefined) return true;
    const s = this.streams.get(this.keyOf(flow));
    return !!s && !s.destroyed && this.streamIds.get(s) === flow.connection;
  }

  /** A connection to `flow` for the transaction layer: the existing stream, or a new one. */
  open(flow: Flow): Connection {
    const protocol = flow.protocol.toUpperCase() as Flow['protocol'];
    const fill = (m: SipMessage) => {
      const via = m.method ? m.headers.via[0] : undefined;
      if (via) {
        via.host = this.host;
        via.port = (protocol === 'UDP' ? this.ports.udp : protocol === 'TCP' ? this.ports.tcp : this.ports.tls) ?? undefined;
        via.protocol = protocol;
        via.version = '2.0';
        if (protocol === 'UDP') via.params.rport = null;
      }
      return sip.stringify(m);
    };
    if (protocol === 'UDP') {
      return {
        protocol,
        release: () => undefined,
        send: (m) => {
          const buf = Buffer.from(fill(m), 'latin1');
          this.udp?.send(buf, flow.port, flow.address, (err) => {
            if (err) this.opts.logger.debug({ err: err.message, to: flow.address }, 'SIP UDP send failed');
          });
        },
      };
    }
    const key = this.keyOf(flow);
    let socket = this.streams.get(key);
    if (!socket || socket.destroyed) {
      socket =
        protocol === 'TLS'
          ? // Units present self-signed certificates; they proved who they are with digest.
            tls.connect({ host: flow.address, port: flow.port, rejectUnauthorized: false })
          : net.connect({ host: flow.address, port: flow.port });
      this.stream(socket, protocol, key);
    }
    const s = socket;
    return { protocol, release: () => undefined, send: (m) => void s.write(fill(m), 'latin1') };
  }

  /** A one-off answer outside any transaction (e.g. 400 before a transaction exists). */
  reply(flow: Flow, m: SipMessage): void {
    this.open(flow).send(m);
  }

  private keyOf(flow: Flow): string {
    return `${flow.protocol.toUpperCase()},${plain(flow.address)},${flow.port}`;
  }

  private async listen<S extends net.Server>(server: S, port: number): Promise<S> {
    server.maxConnections = 20_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => this.opts.logger.warn({ err: err.message }, 'SIP listener error'));
    return server;
  }

  private datagram(buf: Buffer, rinfo: dgram.RemoteInfo): void {
    // RFC 5626 §4.4.1 keep-alives are CRLFs; some units put them before a message in one datagram.
    let start = 0;
    while (start < buf.length && (buf[start] === 0x0d || buf[start] === 0x0a)) start++;
    if (buf.length - start < 16) return; // nothing but keep-alive
    const flow: Flow = { protocol: 'UDP', address: rinfo.address, port: rinfo.port, local: this.localUdp() };
    const m = sip.parse(buf.subarray(start).toString('latin1'));
    if (!wellFormed(m)) {
      this.malformed(m, flow, `${buf.length} bytes that are not a SIP message`);
      return;
    }
    if (m.method) {
      const via = m.headers.via[0];
      if (via) {
        via.params.received = rinfo.address;
        if ('rport' in via.params) via.params.rport = rinfo.port;
      }
    }
    const tooLarge = (m.content?.length ?? 0) > this.opts.maxBodyBytes;
    if (tooLarge) m.content = '';
    this.onMessage(m, flow, tooLarge);
  }

  /** Unreadable bytes: logged with a code; a request with a Via at least is answered 400 (RFC 3261 §8.2.2). */
  private malformed(m: SipMessage | undefined, flow: Flow, detail: string): void {
    this.onMalformed(flow, detail);
    if (answerable(m) && m.method !== 'ACK') {
      const rs: SipMessage = { status: 400, reason: 'Bad Request', version: '2.0', headers: { ...m.headers } };
      this.reply(flow, rs);
    }
  }

  private localUdp(): { address: string; port: number } {
    const a = this.udp?.address();
    return { address: a?.address ?? this.opts.host, port: a?.port ?? 0 };
  }

  /** A stream a unit opened: refused when its address holds too many already. */
  private accept(socket: net.Socket, protocol: 'TCP' | 'TLS'): void {
    const address = plain(socket.remoteAddress ?? '');
    const held = this.perAddress.get(address) ?? 0;
    if (held >= this.limits.perAddress) {
      this.onMalformed(
        { protocol, address, port: socket.remotePort ?? 0 },
        `over ${this.limits.perAddress} SIP connections from one address; refused`,
      );
      socket.destroy();
      return;
    }
    this.perAddress.set(address, held + 1);
    socket.once('close', () => {
      const n = (this.perAddress.get(address) ?? 1) - 1;
      if (n <= 0) this.perAddress.delete(address);
      else this.perAddress.set(address, n);
    });
    this.stream(socket, protocol);
  }

  /** Frames messages on a stream (RFC 3261 §18.3: Content-Length is mandatory on streams). */
  private stream(socket: net.Socket, protocol: 'TCP' | 'TLS', key?: string): void {
    const id = nextStreamId++;
    this.streamIds.set(socket, id);
    const flowKey = () => key ?? `${protocol},${plain(socket.remoteAddress ?? '')},${socket.remotePort}`;
    this.streams.set(flowKey(), socket);
    const { limits } = this;
    const who = () => ({ protocol, from: socket.remoteAddress, port: socket.remotePort });
    // Until a first message arrives, a stream is a stranger's: it gets a short while, not the idle limit.
    let deadline: NodeJS.Timeout | null = null;
    const expectBy = (ms: number, why: string) => {
      if (deadline) clearTimeout(deadline);
      deadline = setTimeout(() => {
        this.opts.logger.warn({ ...who(), code: 'TRYGG_ERR_SIP_MALFORMED' }, `SIP stream ${why}; closing it`);
        socket.destroy();
      }, ms);
      deadline.unref();
    };
    const settle = () => {
      if (deadline) clearTimeout(deadline);
      deadline = null;
    };
    if (!key) expectBy(limits.firstMessageMs, `sent no message within ${limits.firstMessageMs / 1000} s`);
    socket.setTimeout(limits.idleMs, () => socket.destroy());
    socket.on('error', (err) => this.opts.logger.debug({ err: err.message, protocol }, 'SIP stream error'));
    socket.on('close', () => {
      settle();
      if (this.streams.get(flowKey()) === socket) this.streams.delete(flowKey());
    });
    let buf = '';
    let skip = 0;
    let pending: { m: SipMessage; length: number } | null = null;
    const deliver = (m: SipMessage, tooLarge: boolean) => {
      settle();
      this.deliver(m, socket, protocol, tooLarge);
    };
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      buf += chunk;
      for (;;) {
        if (skip > 0) {
          const n = Math.min(skip, buf.length);
          skip -= n;
          buf = buf.slice(n);
          if (skip > 0) return;
        }
        if (pending) {
          if (buf.length < pending.length) return;
          const { m, length } = pending;
          pending = null;
          m.content = buf.slice(0, length);
          buf = buf.slice(length);
          deliver(m, false);
          continue;
        }
        const lead = buf.match(/^(\r?\n)+/);
        if (lead) {
          // RFC 5626 §4.4.1 keep-alive: a double CRLF is answered with a single one.
          if (lead[0].length >= 4) socket.write('\r\n');
          buf = buf.slice(lead[0].length);
        }
        if (buf.length === 0) return;
        // A message has begun: it must be whole within the message limit (a slow-loris header).
        if (!deadline) expectBy(limits.messageMs, `left a message unfinished for ${limits.messageMs / 1000} s`);
        const end = headerEnd(buf);
        if (!end) {
          if (buf.length > MAX_HEADER_BYTES) {
            this.onMalformed(this.flowOf(socket, protocol), 'SIP headers over 8 KiB; closing the connection');
            socket.destroy();
          }
          return;
        }
        const m = sip.parse(buf.slice(0, end.at + end.length));
        buf = buf.slice(end.at + end.length);
        if (!wellFormed(m)) {
          this.malformed(m, this.flowOf(socket, protocol), 'not a SIP message on a stream; closing the connection');
          socket.destroy();
          return;
        }
        const length = Number(m.headers['content-length'] ?? 0);
        if (!Number.isSafeInteger(length) || length < 0) {
          socket.destroy();
          return;
        }
        if (length > this.opts.maxBodyBytes) {
          m.content = '';
          skip = length;
          deliver(m, true);
          continue;
        }
        pending = { m, length };
      }
    });
  }

  private flowOf(socket: net.Socket, protocol: 'TCP' | 'TLS'): Flow {
    return {
      protocol,
      address: plain(socket.remoteAddress ?? ''),
      port: socket.remotePort ?? 0,
      local: { address: socket.localAddress ?? '', port: socket.localPort ?? 0 },
      connection: this.streamIds.get(socket),
    };
  }

  private deliver(m: SipMessage, socket: net.Socket, protocol: 'TCP' | 'TLS', tooLarge: boolean): void {
    if (m.method) {
      const via = m.headers.via[0];
      if (via) via.params.received = socket.remoteAddress ?? null;
    }
    this.onMessage(m, this.flowOf(socket, protocol), tooLarge);
  }
}
