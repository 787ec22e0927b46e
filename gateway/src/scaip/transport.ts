/**
 * SIP transports (RFC 3261 §18) over UDP, TCP and TLS: sockets we own, so ports can be 0 in tests,
 * bind errors reject `start()` instead of crashing, and sizes are limited before anything is
 * parsed. Messages are parsed and serialised by the `sip` package. A stream message whose
 * Content-Length is over the limit is delivered without its body (marked `tooLarge`, answered
 * 413 by the receiver) and its bytes are skipped, so one hostile unit cannot exhaust memory.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from '@trygg/alarm-core';
import { sip, type Connection, type Flow, type SipMessage } from './sip-lib.js';

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
  logger: Logger;
}

export type OnSipMessage = (m: SipMessage, flow: Flow, tooLarge: boolean) => void;

const MAX_HEADER_BYTES = 8192;
const IDLE_STREAM_MS = 15 * 60_000;

/** `::ffff:127.0.0.1` and `127.0.0.1` are one peer. */
function plain(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

function wellFormed(m: SipMessage | undefined): m is SipMessage {
  const h = m?.headers;
  return !!h && Array.isArray(h.via) && h.via.length > 0 && !!h['call-id'] && !!h.to && !!h.from && !!h.cseq;
}

export class SipTransport {
  private udp: dgram.Socket | null = null;
  private tcp: net.Server | null = null;
  private tlsServer: tls.Server | null = null;
  private readonly streams = new Map<string, net.Socket>();
  private onMessage: OnSipMessage = () => undefined;

  constructor(private readonly opts: TransportOptions) {}

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

  async start(onMessage: OnSipMessage): Promise<void> {
    this.onMessage = onMessage;
    const { opts } = this;
    if (opts.udpPort !== null) {
      const socket = dgram.createSocket({ type: net.isIPv6(opts.host) ? 'udp6' : 'udp4' });
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
        net.createServer((s) => this.stream(s, 'TCP')),
        opts.tcpPort,
      );
    }
    if (opts.tlsPort !== null) {
      if (!opts.tls) throw new Error('SIP over TLS needs a certificate and key');
      const server = tls.createServer({ cert: opts.tls.cert, key: opts.tls.key, minVersion: 'TLSv1.2' }, (s) =>
        this.stream(s, 'TLS'),
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
    const key = `${protocol},${plain(flow.address)},${flow.port}`;
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

  /** A one-off answer outside any transaction (e.g. 413 before a transaction exists). */
  reply(flow: Flow, m: SipMessage): void {
    const cn = this.open(flow);
    cn.send(m);
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
    if (buf.length < 16 || (buf[0] === 0x0d && buf[1] === 0x0a)) return; // keep-alive (RFC 5626 §4.4.1)
    const m = sip.parse(buf.toString('latin1'));
    if (!wellFormed(m)) {
      this.opts.logger.debug({ from: rinfo.address, bytes: buf.length }, 'SIP datagram not a SIP message; dropped');
      return;
    }
    const flow: Flow = { protocol: 'UDP', address: rinfo.address, port: rinfo.port, local: this.localUdp() };
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

  private localUdp(): { address: string; port: number } {
    const a = this.udp?.address();
    return { address: a?.address ?? this.opts.host, port: a?.port ?? 0 };
  }

  /** Frames messages on a stream (RFC 3261 §18.3: Content-Length is mandatory on streams). */
  private stream(socket: net.Socket, protocol: 'TCP' | 'TLS', key?: string): void {
    const flowKey = () => key ?? `${protocol},${plain(socket.remoteAddress ?? '')},${socket.remotePort}`;
    if (!key) this.streams.set(flowKey(), socket);
    else this.streams.set(key, socket);
    socket.setTimeout(IDLE_STREAM_MS, () => socket.destroy());
    socket.on('error', (err) => this.opts.logger.debug({ err: err.message, protocol }, 'SIP stream error'));
    socket.on('close', () => {
      if (this.streams.get(flowKey()) === socket) this.streams.delete(flowKey());
    });
    let buf = '';
    let skip = 0;
    let pending: { m: SipMessage; length: number } | null = null;
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
          this.deliver(m, socket, protocol, false);
          continue;
        }
        const lead = buf.match(/^(\r\n)+/);
        if (lead) {
          // RFC 5626 §4.4.1 keep-alive: a double CRLF is answered with a single one.
          if (lead[0].length >= 4) socket.write('\r\n');
          buf = buf.slice(lead[0].length);
        }
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) {
          if (buf.length > MAX_HEADER_BYTES) {
            this.opts.logger.warn({ protocol, from: socket.remoteAddress }, 'SIP headers over 8 KiB; closing the connection');
            socket.destroy();
          }
          return;
        }
        const m = sip.parse(buf.slice(0, end + 4));
        buf = buf.slice(end + 4);
        if (!wellFormed(m)) {
          this.opts.logger.warn(
            { protocol, from: socket.remoteAddress },
            'not a SIP message on a stream; closing the connection',
          );
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
          this.deliver(m, socket, protocol, true);
          continue;
        }
        pending = { m, length };
      }
    });
  }

  private deliver(m: SipMessage, socket: net.Socket, protocol: 'TCP' | 'TLS', tooLarge: boolean): void {
    if (m.method) {
      const via = m.headers.via[0];
      if (via) via.params.received = socket.remoteAddress ?? null;
    }
    const flow: Flow = {
      protocol,
      address: socket.remoteAddress ?? '',
      port: socket.remotePort ?? 0,
      local: { address: socket.localAddress ?? '', port: socket.localPort ?? 0 },
    };
    this.onMessage(m, flow, tooLarge);
  }
}
