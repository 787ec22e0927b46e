/** Starting and killing Trygg nodes as child processes (see node-process.ts). */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./node-process.ts', import.meta.url));

export interface NodeHandle {
  child: ChildProcess;
  ports: { http: number; mqtt: number };
  /** SIGKILL: no cleanup, no flush — a crash. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export async function startNode(env: Record<string, string>): Promise<NodeHandle> {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT], {
    env: { ...process.env, TRYGG_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ports = await new Promise<{ http: number; mqtt: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('node did not start in 60 s')), 60_000);
    child.once('exit', (code) => reject(new Error(`node exited with ${code}`)));
    if (!child.stdout) throw new Error('no stdout');
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        const msg = JSON.parse(line) as { ready?: { http: number; mqtt: number } };
        if (msg.ready) {
          clearTimeout(timer);
          resolve(msg.ready);
        }
      } catch {
        // not ours
      }
    });
  });
  return {
    child,
    ports,
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
