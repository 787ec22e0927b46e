/**
 * MQTT 5 devices on the embedded broker. aedes 1.2 speaks 3.1.1 only (it answers a v5 CONNECT
 * with return code 1), so a connection whose CONNECT says v5 goes through this bridge: v5
 * packets from the device are translated to 3.1.1 for aedes and aedes' answers back to v5. It
 * keeps what v5 adds that matters here:
 * - reason codes on refusals: CONNACK 0x86 / 0x87 / 0x88 / 0x9F, SUBACK 0x87, PUBACK 0x99
 *   (payload refused) or 0x97 (over budget), and a DISCONNECT with its reason (0x87 topic not
 *   allowed or device revoked, 0x96 message rate too high, 0x89 store unavailable) before the
 *   connection closes — the hooks set these through `refusals(client)`;
 * - topic aliases ([MQTT-3.3.2-7..12]), resolved before aedes sees the PUBLISH;
 * - the CONNECT's authentication method, which the authenticate hook refuses with 0x8C: Trygg
 *   has no enhanced authentication ([MQTT-4.12.0-1]).
 * Properties aedes cannot honour (user properties, message expiry, session expiry) are dropped.
 * A 3.1.1 connection is handed to aedes as it is (behind the size guard, ./size-guard.ts).
 */
import { Duplex } from 'node:stream';
import mqttPacket, { type Packet } from 'mqtt-packet';
import { SizeGuard } from './size-guard.js';

/** A connection's byte stream: the socket itself or the size guard around it. */
export type Transport = Duplex & { remoteAddress?: string | undefined };

/** Where hooks leave the reason codes a v5 device should hear. */
export interface Refusals {
  /** CONNACK reason for a refused CONNECT (overrides the 3.1.1 return code's mapping). */
  connack(reason: number): void;
  /** PUBACK reason for this message id (a payload acknowledged but not stored). */
  puback(messageId: number | undefined, reason: number): void;
  /** DISCONNECT reason sent before the connection closes. */
  disconnect(reason: number): void;
}

const NO_REFUSALS: Refusals = { connack: () => undefined, puback: () => undefined, disconnect: () => undefined };

/** The refusal channel of a client's connection; a no-op for 3.1.1 devices. */
export function refusals(client: { conn?: unknown } | null): Refusals {
  const conn = client?.conn;
  return conn instanceof Mqtt5Bridge ? conn : NO_REFUSALS;
}

const CONNECT_TIMEOUT_MS = 30_000;
const TOPIC_ALIASES = 16;

// [MQTT-3.2.2.2] 3.1.1 CONNACK return code → v5 reason code.
const CONNACK_V5: Record<number, number> = { 0: 0x00, 1: 0x84, 2: 0x85, 3: 0x88, 4: 0x86, 5: 0x87 };

export class Mqtt5Bridge extends Duplex implements Refusals {
  private readonly fromDevice = mqttPacket.parser({ protocolVersion: 5 });
  private readonly fromBroker = mqttPacket.parser({ protocolVersion: 4 });
  private readonly aliases = new Map<number, string>();
  private readonly pubackReasons = new Map<number, number>();
  private connackReason: number | null = null;
  private disconnectReason: number | null = null;
  /** [MQTT-3.1.2.11.9] the CONNECT's Authentication Method, if it named one. */
  authenticationMethod: string | undefined;

  constructor(readonly socket: Transport) {
    super();
    this.fromDevice.on('packet', (p: Packet) => this.toBroker(p));
    this.fromDevice.on('error', () => this.destroy());
    this.fromBroker.on('packet', (p: Packet) => this.toDevice(p));
    socket.on('data', (d: Buffer) => this.fromDevice.parse(d));
    socket.on('end', () => this.push(null));
    socket.on('close', () => this.destroy());
    socket.on('error', () => this.destroy());
  }

  /** For the address-based limits: the device's address, as on a plain socket. */
  get remoteAddress(): string | undefined {
    return this.socket.remoteAddress;
  }

  connack(reason: number): void {
    this.connackReason = reason;
  }
  puback(messageId: number | undefined, reason: number): void {
    if (messageId !== undefined) this.pubackReasons.set(messageId, reason);
  }
  disconnect(reason: number): void {
    this.disconnectReason = reason;
  }

  override _read(): void {
    // Data is pushed as the device sends it.
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.fromBroker.parse(chunk);
    cb();
  }

  /** A packet aedes wrote in pieces (corked), parsed at once. */
  override _writev(chunks: { chunk: Buffer }[], cb: (err?: Error | null) => void): void {
    this.fromBroker.parse(Buffer.concat(chunks.map((c) => c.chunk)));
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (this.disconnectReason !== null && this.socket.writable) {
      // [MQTT-3.14.2-1] the server tells a v5 client why it is being disconnected.
      this.socket.end(mqttPacket.generate({ cmd: 'disconnect', reasonCode: this.disconnectReason }, { protocolVersion: 5 }));
      setTimeout(() => this.socket.destroy(), 1_000).unref();
    } else {
      this.socket.destroy();
    }
    cb(err);
  }

  private toBroker(p: Packet): void {
    const v4 = this.down(p);
    if (v4) this.push(mqttPacket.generate(v4, { protocolVersion: 4 }));
  }

  private toDevice(p: Packet): void {
    if (!this.socket.writable) return;
    this.socket.write(mqttPacket.generate(this.up(p), { protocolVersion: 5 }));
  }

  /** v5 → 3.1.1 for aedes; null drops the packet. */
  private down(p: Packet): Packet | null {
    switch (p.cmd) {
      case 'connect': {
        this.authenticationMethod = p.properties?.authenticationMethod;
        const { properties: _p, will, ...rest } = p;
        const v4Will = will ? { topic: will.topic, payload: will.payload, qos: will.qos, retain: will.retain } : undefined;
        return { ...rest, protocolVersion: 4, protocolId: 'MQTT', ...(v4Will ? { will: v4Will } : {}) };
      }
      case 'publish': {
        const alias = p.properties?.topicAlias;
        let topic = p.topic;
        if (alias !== undefined) {
          if (alias < 1 || alias > TOPIC_ALIASES) {
            this.disconnect(0x94); // topic alias invalid
            this.destroy();
            return null;
          }
          if (topic) this.aliases.set(alias, topic);
          else topic = this.aliases.get(alias) ?? '';
        }
        if (!topic) {
          this.disconnect(0x94); // topic alias invalid
          this.destroy();
          return null;
        }
        const { properties: _p, ...rest } = p;
        return { ...rest, topic };
      }
      case 'subscribe':
        return {
          cmd: 'subscribe',
          messageId: p.messageId,
          subscriptions: p.subscriptions.map((s) => ({ topic: s.topic, qos: s.qos })),
        };
      case 'unsubscribe':
        return { cmd: 'unsubscribe', messageId: p.messageId, unsubscriptions: p.unsubscriptions };
      case 'puback':
      case 'pubrec':
      case 'pubrel':
      case 'pubcomp':
        return { cmd: p.cmd, messageId: p.messageId };
      case 'disconnect':
        return { cmd: 'disconnect' };
      case 'pingreq':
        return p;
      default:
        // AUTH and anything a client must not send: a protocol error.
        this.disconnect(0x82);
        this.destroy();
        return null;
    }
  }

  /** 3.1.1 from aedes → v5 for the device. */
  private up(p: Packet): Packet {
    switch (p.cmd) {
      case 'connack':
        if (p.returnCode) {
          return { cmd: 'connack', sessionPresent: false, reasonCode: this.connackReason ?? CONNACK_V5[p.returnCode] ?? 0x80 };
        }
        // [MQTT-3.2.2.3.8] the aliases a device may use towards us.
        return {
          cmd: 'connack',
          sessionPresent: p.sessionPresent,
          reasonCode: 0,
          properties: { topicAliasMaximum: TOPIC_ALIASES },
        };
      case 'suback':
        // [MQTT-3.9.3] 0x80 "failure" becomes 0x87 "not authorized": the only reason aedes refuses here.
        return { ...p, granted: p.granted.map((g) => (g === 128 ? 0x87 : g)) };
      case 'puback': {
        const reasonCode = p.messageId === undefined ? undefined : this.pubackReasons.get(p.messageId);
        if (p.messageId !== undefined) this.pubackReasons.delete(p.messageId);
        return reasonCode === undefined ? p : { ...p, reasonCode };
      }
      default:
        return p;
    }
  }
}

/**
 * Reads a connection's CONNECT and hands the socket to `handle`: as it is for 3.1.1, through a
 * bridge for v5. Bytes read while deciding are put back first.
 */
export function routeByVersion(socket: Transport, handle: (conn: Duplex) => void): void {
  const probe = mqttPacket.parser();
  const seen: Buffer[] = [];
  // [MQTT-3.1.4-1]-style guard: a connection that never sends its CONNECT is closed.
  const timer = setTimeout(() => socket.destroy(), CONNECT_TIMEOUT_MS);
  const onData = (d: Buffer) => {
    seen.push(d);
    probe.parse(d);
  };
  const decide = (version: number) => {
    clearTimeout(timer);
    socket.off('data', onData);
    socket.pause();
    socket.unshift(Buffer.concat(seen));
    if (version === 5) {
      const bridge = new Mqtt5Bridge(socket);
      handle(bridge);
      socket.resume();
    } else {
      handle(socket);
    }
  };
  probe.once('packet', (p: Packet) => decide(p.cmd === 'connect' ? (p.protocolVersion ?? 4) : 4));
  probe.once('error', () => decide(4)); // let aedes refuse it in its own way
  socket.on('data', onData);
  socket.on('error', () => undefined);
  socket.once('close', () => clearTimeout(timer));
}

/** The MQTT 5 Authentication Method a client's CONNECT named (undefined for none, and for 3.1.1). */
export function authenticationMethodOf(conn: unknown): string | undefined {
  return conn instanceof Mqtt5Bridge ? conn.authenticationMethod : undefined;
}

/** The socket under a client's connection (the TLS socket behind bridge and guard, for certificates). */
export function transportOf(conn: unknown): unknown {
  let c = conn;
  while (c instanceof Mqtt5Bridge || c instanceof SizeGuard) c = c.socket;
  return c;
}
