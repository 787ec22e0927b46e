/**
 * HTTP connections (the API, the web app and socket.io, which share the server) counted per
 * source address: past `perAddress` open at once, a new one is closed at accept, before it costs
 * more than its file descriptor. A connection that proves itself stops counting — one that
 * carried a signed-in request, a live socket that signed in (the live server calls
 * `connectionLimit.release`) — so people behind one NAT (a response centre, a carrier's
 * network) are never refused for being many. A connection that has sent no byte when the
 * header timeout is up is closed here: Node's own header timeout only watches a request once it
 * has begun, and its periodic check can keep the idle timeout from firing on such a socket.
 * Half-sent and idle connections are closed by the server's timeouts (see app.ts).
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

export default fp<{ perAddress: number; silentMs: number }>(
  async (app: FastifyInstance, { perAddress, silentMs }) => {
    const limit = new ConnectionsPerAddress(perAddress, logRefusals(app.log, 'http'));
    // Ahead of the HTTP server's own listener: a refused socket is closed before it is parsed.
    app.server.prependListener('connection', (socket: net.Socket) => {
      if (!limit.admit(socket)) return;
      // bytesRead counts what the HTTP parser took straight from the handle too.
      const silent = setTimeout(() => {
        if (socket.bytesRead === 0) socket.destroy();
      }, silentMs);
      silent.unref();
      socket.once('close', () => clearTimeout(silent));
    });
    app.decorate('connectionLimit', limit);
    // After the auth hook: a keep-alive connection that carried a signed-in request is someone's.
    app.addHook('preHandler', async (req) => {
      if (req.principal) limit.release(req.raw.socket);
    });
  },
  { name: 'trygg-connection-limits' },
);
