/**
 * SIPp (Debian `sip-tester`) as the independent SIP peer: free ports, running a scenario, a
 * throwaway self-signed certificate (openssl, made at test time, never committed), and a TLS
 * relay. Debian's SIPp is built without OpenSSL (`-t l1` refuses), so TLS runs put a relay made
 * with node:tls between SIPp's TCP and Trygg's TLS listener, in both directions: the bytes Trygg
 * reads and writes are TLS, the SIP dialogue is SIPp's.
 */
import { execFile, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtemp, readFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const SCENARIOS = path.resolve(import.meta.dirname, '../scaip');

/** A port free for both UDP and TCP right now (SIPp takes a number, not 0). */
export async function freePort(): Promise<number> {
  for (;;) {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const udp = dgram.createSocket('udp4');
    const ok = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(port, '127.0.0.1', () => resolve(true));
    });
    await new Promise<void>((resolve) => udp.close(() => resolve()));
    if (ok) return port;
  }
}

export interface SippRun {
  done: Promise<{ code: number | null; out: string }>;
  kill(): void;
}

/** Runs `sipp` with these arguments; `done` resolves when it exits. */
export function sipp(args: string[], cwd: string): SippRun {
  const child = spawn('sipp', ['-nostdin', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const done = new Promise<{ code: number | null; out: string }>((resolve) => child.on('exit', (code) => resolve({ code, out })));
  return { done, kill: () => child.kill('SIGTERM') };
}

export async function tempDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'trygg-sipp-'));
}

/** A self-signed certificate and key for 127.0.0.1, made now in `dir`. */
export async function selfSignedCert(dir: string): Promise<{ certFile: string; keyFile: string; cert: Buffer; key: Buffer }> {
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
    '-keyout',
    keyFile,
    '-out',
    certFile,
  ]);
  return { certFile, keyFile, cert: await readFile(certFile), key: await readFile(keyFile) };
}

/** Listens on `listenPort` (plain TCP, or TLS with `cert`) and relays each connection to `to` (TLS or TCP). */
export async function relay(opts: {
  listenPort: number;
  serverTls?: { cert: Buffer; key: Buffer };
  to: { port: number; tls: boolean };
}): Promise<{ close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const onConnection = (inbound: net.Socket) => {
    const outbound = opts.to.tls
      ? tls.connect({ host: '127.0.0.1', port: opts.to.port, rejectUnauthorized: false })
      : net.connect({ host: '127.0.0.1', port: opts.to.port });
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    inbound.pipe(outbound);
    outbound.pipe(inbound);
    inbound.on('close', () => outbound.destroy());
    outbound.on('close', () => inbound.destroy());
  };
  const server = opts.serverTls
    ? tls.createServer({ cert: opts.serverTls.cert, key: opts.serverTls.key }, onConnection)
    : net.createServer(onConnection);
  await new Promise<void>((resolve) => server.listen(opts.listenPort, '127.0.0.1', () => resolve()));
  return {
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
