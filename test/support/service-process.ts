/**
 * The real service as the operating system sees it: `server/src/main.ts` in a child process
 * (`node --import tsx`, as the container runs it) or through `npm run dev`, on ephemeral ports,
 * its JSON log lines collected. For tests of what happens around the process — signals, crashes,
 * a restart on the same data — which the in-process `startTestService` cannot show.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ServiceProcess {
  child: ChildProcess;
  /** Every JSON log line so far. */
  logs: Record<string, unknown>[];
  /** Its standard error so far (a refused start says why there). */
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first log line (past or future) `pick` accepts; rejects if the process exits first. */
  log(pick: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  /** Resolves with the HTTP and MQTT ports once it says it is running. */
  running(): Promise<{ http: number; mqtt: number }>;
}

export interface ServiceProcessOptions {
  /** Through `npm run dev` (the developer's way), not node directly (the container's). */
  npm?: boolean;
  /** Its own process group, so `process.kill(-child.pid, signal)` is a Ctrl-C in its terminal. */
  group?: boolean;
}

export function startServiceProcess(env: Record<string, string>, opts: ServiceProcessOptions = {}): ServiceProcess {
  const [cmd, args] = opts.npm ? ['npm', ['run', 'dev']] : [process.execPath, ['--import', 'tsx', 'server/src/main.ts']];
  const child = spawn(cmd, args, {
    cwd: ROOT,
    detached: opts.group === true,
    env: {
      ...process.env,
      DATABASE_URL: '',
      PORT: '0',
      TRYGG_MQTT_PORT: '0',
      TRYGG_SIP: 'false',
      TRYGG_SELFTEST_INTERVAL_S: '0',
      HOST: '127.0.0.1',
      TRYGG_LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  const waiting = new Set<() => void>();
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
    if (process.env.TRYGG_TEST_LOG === '1') process.stderr.write(chunk);
  });
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    if (process.env.TRYGG_TEST_LOG === '1') process.stderr.write(line + '\n');
    if (!line.startsWith('{')) return; // npm's own lines
    logs.push(JSON.parse(line) as Record<string, unknown>);
    for (const w of waiting) w();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const log = (pick: (line: Record<string, unknown>) => boolean) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const check = () => {
        const hit = logs.find(pick);
        if (hit) {
          waiting.delete(check);
          resolve(hit);
        }
      };
      waiting.add(check);
      check();
      void exited.then(({ code, signal }) => {
        check();
        if (waiting.delete(check)) reject(new Error(`service exited (${signal ?? code}) first: ${stderr.slice(-2000)}`));
      });
    });
  return {
    child,
    logs,
    stderr: () => stderr,
    exited,
    log,
    running: async () => {
      const line = await log((l) => l.msg === 'Trygg is running: ' + `http://localhost:${String(l.http)}`);
      return { http: Number(line.http), mqtt: Number(line.mqtt) };
    },
  };
}

/** The command line of `pid`, or null. */
function commandLine(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return null;
  }
}

/** The service of this worktree (pids are reused: never signal a stranger). */
function isOurService(pid: number): boolean {
  try {
    return readlinkSync(`/proc/${pid}/cwd`) === path.resolve(ROOT) && (commandLine(pid) ?? '').includes('server/src/main.ts');
  } catch {
    return false;
  }
}

/**
 * After a test, whatever it left: the process, the service behind npm, and an embedded PostgreSQL
 * on `dataDir` (asked for a fast shutdown, as a killed Trygg's next start would).
 */
export async function cleanUp(p: ServiceProcess, dataDir?: string): Promise<void> {
  if (p.child.exitCode === null && p.child.signalCode === null) {
    p.child.kill('SIGKILL');
    await p.exited;
  }
  for (const pid of new Set(p.logs.map((l) => Number(l.pid)))) {
    if (alive(pid) && isOurService(pid)) process.kill(pid, 'SIGKILL');
  }
  if (!dataDir) return;
  const file = await readFile(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').catch(() => '');
  const pid = Number(file.split('\n')[0]);
  if (!pid || !alive(pid) || !(commandLine(pid) ?? '').includes(`-D ${path.join(dataDir, 'pg')} `)) return;
  process.kill(pid, 'SIGINT');
  while (alive(pid)) await new Promise((r) => setTimeout(r, 100));
}

/** True while a process with this pid runs (an exited one not yet reaped counts as gone). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (macOS): kill(0) is all we know
  }
}
