/**
 * HTTP connections (the API, the web app and socket.io, which share the server) counted per
 * source address: past `perAddress` open at once, a new one is closed at accept, before it costs
 * more than its file descriptor. A live socket that signs in stops counting (the live server
 * calls `connectionLimit.release`), so people behind one NAT are not refused for being many;
 * idle and half-sent connections are closed by the server's timeouts (see app.ts).
 */
import type net from 'node:net';
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { ConnectionsPerAddress, logRefusals } from '@trygg/gateway';

declare module 'fastify' {
  interface FastifyInstance {
    /** Open connections per address; `release` one that proved itself. */
    connectionLimit: ConnectionsPerAddress;
  }
}

export default fp<{ perAddress: number }>(
  async (app: FastifyInstance, { perAddress }) => {
    const limit = new ConnectionsPerAddress(perAddress, logRefusals(app.log, 'http'));
    // Ahead of the HTTP server's own listener: a refused socket is closed before it is parsed.
    app.server.prependListener('connection', (socket: net.Socket) => limit.admit(socket));
    app.decorate('connectionLimit', limit);
  },
  { name: 'trygg-connection-limits' },
);
