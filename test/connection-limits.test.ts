/**
 * Idle and anonymous connections cannot pile up. HTTP (API, web app, socket.io): a silent
 * connection, a half-sent header and a half-sent body are closed by the server; one address that
 * opens connections by the hundred keeps at most its cap open, while a person elsewhere signs in,
 * reads and opens the live socket as usual; people signed in on live sockets behind one address
 * are not counted. MQTT: silent connections from one address are capped the same way while a
 * device elsewhere raises an alarm. Outcomes only: who got served and who was closed.
 *
 * The hostile client connects from 127.0.0.2 (Linux routes all of 127/8 to loopback), the
 * legitimate ones from 127.0.0.1, so they are different addresses to the server.
 */
import net from 'node:net';
import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from './support/service.js';

const CAP = 20;
const HOSTILE = '127.0.0.2';
let svc: TestService;
const opened: net.Socket[] = [];

beforeAll(async () => {
  svc = await startTestService({
    config: {
      // The idle timeout far above the others, as by default (60 s against 10 s): a silent
      // connection must be closed at the header timeout, not left to the idle one.
      httpIdleTimeoutS: 60,
      httpHeadersTimeoutS: 1,
      httpRequestTimeoutS: 2,
      httpConnectionsPerAddress: CAP,
      mqttPendingPerAddress: CAP,
    },
  });
});
afterAll(async () => {
  for (const s of opened) s.destroy();
  await svc?.stop();
});

interface Probe {
  socket: net.Socket;
  /** Resolves when the server closed it (the test never closes these itself before the end). */
  closed: Promise<void>;
  isClosed: () => boolean;
  received: () => string;
}

/** A raw TCP connection from `from` to `port`, which the test then leaves as it is. */
function connect(port: number, from = HOSTILE): Promise<Probe> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress: from });
    opened.push(socket);
    let closed = false;
    let data = '';
    socket.on('data', (d: Buffer) => (data += d.toString('latin1')));
    socket.on('error', () => undefined);
    const closedP = new Promise<void>((r) => socket.once('close', () => ((closed = true), r())));
    socket.once('connect', () => resolve({ socket, closed: closedP, isClosed: () => closed, received: () => data }));
    socket.once('error', reject);
  });
}

const closedBy = <T>(p: Promise<T>, ms: number, what: string) =>
  Promise.race([
    p,
    new Promise<never>((_r, reject) => setTimeout(() => reject(new Error(`${what}: still open after ${ms} ms`)), ms)),
  ]);

function operatorSocket(token: string, from?: string): Promise<Socket> {
  const socket = io(svc.httpUrl, {
    path: '/socket.io',
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    ...(from ? { localAddress: from } : {}),
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

describe('HTTP connections', () => {
  it('closes a connection that never sends a byte', async () => {
    // Node's own periodic check does not always look at a socket that has not begun a request.
    const silent = await connect(svc.trygg.ports.http);
    // Far longer than the header timeout (1 s), far shorter than the idle one (60 s).
    await closedBy(silent.closed, 20_000, 'silent connection');
  });

  it('closes a half-sent header and a half-sent body', async () => {
    const port = svc.trygg.ports.http;
    const header = await connect(port);
    header.socket.write('GET /api/auth/methods HTTP/1.1\r\nHost: trygg\r\nX-Slow: ');
    const body = await connect(port);
    body.socket.write(
      'POST /api/auth/login HTTP/1.1\r\nHost: trygg\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"user',
    );
    await closedBy(header.closed, 20_000, 'half-sent header');
    await closedBy(body.closed, 20_000, 'half-sent body');
    expect(header.received()).toMatch(/^HTTP\/1\.1 408/);
  });

  it('keeps at most its cap open for one address while others sign in, read and go live', async () => {
    const port = svc.trygg.ports.http;
    const pile = await Promise.all(Array.from({ length: 10 * CAP }, () => connect(port)));
    // Every one over the cap is closed by the server at once.
    await expect.poll(() => pile.filter((p) => p.isClosed()).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(9 * CAP);
    const stillOpen = pile.filter((p) => !p.isClosed()).length;
    expect(stillOpen).toBeLessThanOrEqual(CAP);

    // Meanwhile, from another address: the web app, sign-in, the API and the live socket work.
    expect((await fetch(`${svc.httpUrl}/`)).status).toBe(200);
    const { token } = await svc.login('operator');
    expect((await svc.api('GET', '/api/alarms', token)).status).toBe(200);
    const live = await operatorSocket(token);
    expect(live.connected).toBe(true);
    live.close();

    // And the pile goes away by itself (nothing sent by the header timeout), after which the address is served again.
    await Promise.all(pile.map((p) => closedBy(p.closed, 20_000, 'idle connection of the pile')));
    const res = await new Promise<number>((resolve, reject) => {
      const s = net.connect({ port, host: '127.0.0.1', localAddress: HOSTILE }, () =>
        s.write('GET /api/auth/methods HTTP/1.1\r\nHost: trygg\r\nConnection: close\r\n\r\n'),
      );
      let data = '';
      s.on('data', (d: Buffer) => (data += d.toString()));
      s.on('end', () => resolve(Number(data.slice(9, 12))));
      s.on('error', reject);
    });
    expect(res).toBe(200);
  });

  it('does not count people signed in: many behind one address all connect and stay', async () => {
    const { token } = await svc.login('operator');
    const people = await Promise.all(Array.from({ length: CAP + 5 }, () => operatorSocket(token, HOSTILE)));
    expect(people.every((s) => s.connected)).toBe(true);
    // Browsers behind the same address keep their connections alive between signed-in requests.
    const browsers: Probe[] = [];
    for (let i = 0; i < CAP + 5; i++) {
      const b = await connect(svc.trygg.ports.http);
      b.socket.write(`GET /api/me HTTP/1.1\r\nHost: trygg\r\nAuthorization: Bearer ${token}\r\n\r\n`);
      await expect.poll(() => b.received(), { timeout: 5_000 }).toMatch(/^HTTP\/1\.1 200/);
      browsers.push(b);
    }
    expect(browsers.filter((b) => b.isClosed())).toEqual([]);
    // Their address still has room for an ordinary request.
    const probe = await connect(svc.trygg.ports.http);
    probe.socket.write('GET /api/auth/methods HTTP/1.1\r\nHost: trygg\r\n\r\n');
    await expect.poll(() => probe.received(), { timeout: 5_000 }).toMatch(/^HTTP\/1\.1 200/);
    for (const s of people) s.close();
    for (const b of browsers) b.socket.destroy();
  });

  it('closes an anonymous live connection that never signs in', async () => {
    const socket = io(svc.httpUrl, { path: '/socket.io', auth: {}, transports: ['websocket'], reconnection: false });
    await new Promise<void>((resolve) => socket.once('connect_error', () => resolve()));
    // The engine.io connection under it is closed by the server after the sign-in timeout.
    await closedBy(
      new Promise<void>((resolve) => {
        if (socket.io.engine?.readyState === 'closed') resolve();
        socket.io.engine?.once('close', () => resolve());
      }),
      20_000,
      'anonymous live connection',
    );
    socket.close();
  });
});

describe('MQTT connections', () => {
  it('keeps at most its cap of not-yet-connected sockets for one address while a device elsewhere raises an alarm', async () => {
    const port = svc.trygg.ports.mqtt;
    const pile = await Promise.all(Array.from({ length: 10 * CAP }, () => connect(port)));
    await expect.poll(() => pile.filter((p) => p.isClosed()).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(9 * CAP);
    expect(pile.filter((p) => !p.isClosed()).length).toBeLessThanOrEqual(CAP);

    const device = await svc.device('res-kari-button');
    const event = JSON.stringify({ id: randomUUID(), type: 'alarm.button', ts: new Date().toISOString() });
    // QoS 1: the PUBACK comes only after the event is committed.
    await device.publishAsync('trygg/v1/devices/res-kari-button/events', event, { qos: 1 });
    const { token } = await svc.login('operator');
    await expect
      .poll(
        async () =>
          (await svc.api<{ alarms: { subject: { deviceId: string } }[] }>('GET', '/api/alarms', token)).body.alarms.some(
            (a) => a.subject.deviceId === 'res-kari-button',
          ),
        { timeout: 10_000 },
      )
      .toBe(true);
  });
});
