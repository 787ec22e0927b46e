/** Child processes for the gateway benchmark: the Trygg service and the bare-aedes peer. */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export interface Child {
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function start(script: string, env: Record<string, string>, args: string[] = [], nodeArgs: string[] = []): Child {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script, ...args], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    stop: async () => {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** The whole service (`server/src/main.ts`), ready when /readyz says so. */
export async function startService(env: Record<string, string>, httpUrl: string): Promise<Child> {
  const main = fileURLToPath(import.meta.resolve('@trygg/server/main'));
  const c = start(main, env);
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 250))) {
    if (c.child.exitCode !== null) throw new Error(`service exited with ${c.child.exitCode}`);
    const ok = await fetch(`${httpUrl}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return c;
  }
  await c.stop();
  throw new Error('service not ready in 60 s');
}

export async function startBareAedes(): Promise<Child & { port: number }> {
  const c = start(fileURLToPath(new URL('./bare-aedes.ts', import.meta.url)), {});
  if (!c.child.stdout) throw new Error('no stdout');
  const port = await new Promise<number>((resolve) => {
    createInterface({ input: c.child.stdout as NodeJS.ReadableStream }).once('line', (l) =>
      resolve((JSON.parse(l) as { port: number }).port),
    );
  });
  return { ...c, port };
}

/**
 * Node flags for processes that only generate load: their garbage collections take one thread
 * (not a helper on the other core as well), and only when allocation needs them (no "memory
 * reducer" collections of a 10 000-client heap while idle). On two cores, a load generator's
 * collection otherwise delays the service, the database and the measuring process alike.
 */
const LOAD_GENERATOR = ['--single-threaded-gc', '--no-memory-reducer'];

/** Devices `${prefix}1` … `${prefix}${n}`; `secret` null for a broker without authentication. */
export interface CrowdOptions {
  url: string;
  prefix: string;
  n: number;
  secret: string | null;
  /** One QoS 1 heartbeat each, acknowledged, before the crowd says it is connected. */
  heartbeat: boolean;
  /** mqtt.js reconnects after 1 s (needed for the storm). */
  reconnect: boolean;
}

/**
 * The gateway benchmark's connected devices, in a process of their own (`gateway-crowd.ts`):
 * resolves once every device is connected (and, with `heartbeat`, its heartbeat acknowledged).
 */
export async function startCrowd(o: CrowdOptions): Promise<Child & { connected: number; storm(): Promise<number> }> {
  const c = start(fileURLToPath(new URL('./gateway-crowd.ts', import.meta.url)), {}, [JSON.stringify(o)], LOAD_GENERATOR);
  if (!c.child.stdout || !c.child.stdin) throw new Error('no stdio');
  const lines = createInterface({ input: c.child.stdout });
  const next = () =>
    new Promise<Record<string, number>>((resolve, reject) => {
      const exit = (code: number | null) => reject(new Error(`crowd process exited with ${code}`));
      c.child.once('exit', exit);
      lines.once('line', (l) => {
        c.child.off('exit', exit);
        resolve(JSON.parse(l) as Record<string, number>);
      });
    });
  const { connected = 0 } = await next();
  const stdin = c.child.stdin;
  return {
    ...c,
    connected,
    storm: async () => {
      const back = next();
      stdin.write('storm\n');
      return (await back).backS ?? NaN;
    },
  };
}

/** `n` wrong CONNECTs always in flight from `localAddress`, each for a new unknown device id. */
export interface AttackerOptions {
  url: string;
  localAddress: string;
  n: number;
  /** Device ids are `${prefix}${worker}-${attempt}`. */
  prefix: string;
}

/** What the attacker sent, and the CONNACK return codes it got (-1: no answer). */
export interface AttackerTally {
  attempts: number;
  answered: Record<string, number>;
}

/**
 * The gateway benchmark's attacker, in a process of its own (`gateway-attacker.ts`): resolves
 * once its first `n` CONNECTs are out; `end()` stops it and gives its tally.
 */
export async function startAttacker(o: AttackerOptions): Promise<Child & { end(): Promise<AttackerTally> }> {
  const c = start(fileURLToPath(new URL('./gateway-attacker.ts', import.meta.url)), {}, [JSON.stringify(o)], LOAD_GENERATOR);
  if (!c.child.stdout) throw new Error('no stdout');
  const lines = createInterface({ input: c.child.stdout });
  // Its lines, in order: the first says it is flooding, the last (at SIGTERM) is its tally.
  const said: Promise<string>[] = [];
  const waiting: ((l: string) => void)[] = [];
  for (let i = 0; i < 2; i++) said.push(new Promise((resolve) => waiting.push(resolve)));
  lines.on('line', (l) => waiting.shift()?.(l));
  lines.once('close', () => {
    for (const w of waiting.splice(0)) w('{}'); // it ended without saying: no tally
  });
  if ((await said[0]) === '{}') throw new Error('the attacker process ended before it started');
  return {
    ...c,
    end: async () => {
      await c.stop();
      const tally = JSON.parse((await said[1]) ?? '{}') as Partial<AttackerTally>;
      return { attempts: tally.attempts ?? 0, answered: tally.answered ?? {} };
    },
  };
}

/** Runs one statement as the admin connection (CREATE / DROP DATABASE cannot run in a pool's transaction). */
async function asAdmin(adminUrl: string, sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** A fresh database for a benchmark; its URL. */
export async function createBenchDatabase(adminUrl: string, name: string): Promise<string> {
  await asAdmin(adminUrl, `CREATE DATABASE ${name}`);
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function dropBenchDatabase(adminUrl: string, name: string): Promise<void> {
  await asAdmin(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}
