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

function start(script: string, env: Record<string, string>): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
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
  const main = fileURLToPath(new URL('../../../server/src/main.ts', import.meta.url));
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
