/** The per-address connection cap, on real sockets: the cap, release on close and on proof, no cap at 0. */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionsPerAddress } from './connection-limit.js';

const servers: net.Server[] = [];
const clients: net.Socket[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
  for (const s of servers.splice(0)) s.close();
});

/** A server whose accepted sockets go through the limit; resolves with its port and the accepted sockets. */
async function serve(limit: ConnectionsPerAddress) {
  const accepted: net.Socket[] = [];
  const server = net.createServer(limit.guard((s: net.Socket) => accepted.push(s)));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as net.AddressInfo).port, accepted };
}

function open(port: number): Promise<{ socket: net.Socket; closed: Promise<void> }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    clients.push(socket);
    socket.on('error', () => undefined);
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.once('connect', () => resolve({ socket, closed }));
  });
}

describe('ConnectionsPerAddress', () => {
  it('closes connections over the cap, and makes room when one closes or proves itself', async () => {
    const refused: string[] = [];
    const limit = new ConnectionsPerAddress(2, (a) => refused.push(a));
    const { port, accepted } = await serve(limit);
    await open(port);
    await open(port);
    const third = await open(port);
    await third.closed;
    expect(refused).toEqual(['127.0.0.1']);
    await expect.poll(() => accepted.length).toBe(2);
    expect(limit.count('127.0.0.1')).toBe(2);

    accepted[0]?.destroy();
    await expect.poll(() => limit.count('127.0.0.1')).toBe(1);
    limit.release(accepted[1] as net.Socket);
    limit.release(accepted[1] as net.Socket); // twice is once
    expect(limit.count('127.0.0.1')).toBe(0);
    await open(port);
    await open(port);
    await expect.poll(() => accepted.length).toBe(4);
  });

  it('has no cap at 0', async () => {
    const limit = new ConnectionsPerAddress(0);
    const { port, accepted } = await serve(limit);
    for (let i = 0; i < 5; i++) await open(port);
    await expect.poll(() => accepted.length).toBe(5);
  });
});
