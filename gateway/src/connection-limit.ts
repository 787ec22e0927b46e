/**
 * A cap on the connections one source address holds open at once, so one client cannot spend
 * the process's file descriptors on idle sockets and starve everyone else. A connection counts
 * from accept until it closes, or until it proves itself (a device's CONNECT accepted, a
 * person's live socket signed in): people and devices behind one NAT are then never refused
 * for being many, only anonymous connections are capped. In memory, per node, like the other
 * limits: a guard for this process.
 */
import type net from 'node:net';
import type { Aedes } from 'aedes';
import type { Logger } from '@trygg/alarm-core';
import { transportOf } from './mqtt5-bridge.js';

export class ConnectionsPerAddress {
  private readonly open = new Map<string, number>();
  /** The address each counted socket was charged to (a closed socket forgets its remoteAddress). */
  private readonly charged = new WeakMap<object, string>();

  /**
   * @param max connections one address may hold that have not proved themselves; 0 = no cap
   * @param onRefused told of each refusal (to log it)
   */
  constructor(
    readonly max: number,
    private readonly onRefused: (address: string) => void = () => undefined,
  ) {}

  /** Counts a new connection; false, with the socket destroyed, when its address is at the cap. */
  admit(socket: net.Socket): boolean {
    if (this.max <= 0) return true;
    const address = socket.remoteAddress ?? 'unknown';
    const n = this.open.get(address) ?? 0;
    if (n >= this.max) {
      socket.destroy();
      this.onRefused(address);
      return false;
    }
    this.open.set(address, n + 1);
    this.charged.set(socket, address);
    socket.once('close', () => this.release(socket));
    return true;
  }

  /** The connection closed, or proved itself: it no longer counts against its address. */
  release(socket: object): void {
    const address = this.charged.get(socket);
    if (address === undefined) return;
    this.charged.delete(socket);
    const n = (this.open.get(address) ?? 1) - 1;
    if (n > 0) this.open.set(address, n);
    else this.open.delete(address);
  }

  /** Connections of this address that count now. */
  count(address: string): number {
    return this.open.get(address) ?? 0;
  }

  /** Wraps a connection listener: over the cap the socket is closed before the listener sees it. */
  guard<S extends net.Socket>(listener: (socket: S) => void): (socket: S) => void {
    return (socket) => {
      if (this.admit(socket)) listener(socket);
    };
  }
}

/**
 * Logs refusals as a warning once a minute per address, with how many there were since: a flood
 * of refused sockets must not become a flood of log lines.
 */
export function logRefusals(logger: Logger, listener: string): (address: string) => void {
  const since = new Map<string, { at: number; refused: number }>();
  return (address) => {
    const now = Date.now();
    const s = since.get(address);
    if (s && now - s.at < 60_000) {
      s.refused++;
      return;
    }
    if (since.size > 10_000) since.clear();
    since.set(address, { at: now, refused: 0 });
    logger.warn(
      { code: 'TRYGG_ERR_RATE_LIMITED', address, listener, refusedSinceLastLine: s?.refused ?? 0 },
      'too many connections from one address; new ones are closed',
    );
  };
}

/**
 * The MQTT listeners' guard: a connection counts against its address until the broker accepts
 * its CONNECT (aedes `client`), so devices behind one carrier NAT are never refused for being
 * many, while connections that never sign in are capped. Before CONNECT the bridge's connect
 * timeout closes them; after it, the keep-alive does.
 */
export function capPendingPerAddress<S extends net.Socket>(
  broker: Aedes,
  max: number,
  logger: Logger,
  listener: (socket: S) => void,
): (socket: S) => void {
  const limit = new ConnectionsPerAddress(max, logRefusals(logger, 'mqtt'));
  broker.on('client', (client) => limit.release(transportOf(client.conn) as object));
  return limit.guard(listener);
}
