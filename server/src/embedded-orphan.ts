/**
 * An embedded PostgreSQL left running by a Trygg that is gone. When Trygg is killed outright
 * (SIGKILL, the OOM killer, a crash of Node itself), its PostgreSQL lives on — it runs in a
 * session of its own, so that a Ctrl-C reaches Trygg and not it (see embedded-server.ts) — and
 * holds the data folder: the next start would fail on its `postmaster.pid`. At start, such an
 * orphan is found and stopped the way PostgreSQL is meant to be stopped, and only when it is
 * certainly ours and certainly orphaned:
 *
 * - the pid in `<dir>/postmaster.pid` is alive and is `postgres -D <dir>` (this very folder: pids
 *   are reused, and another PostgreSQL is none of our business);
 * - its parent is not the Trygg recorded as having started it (`pg-owner.pid` in the data folder,
 *   written at each start). A server whose owner still runs is that owner's: we refuse to start
 *   instead. With no record (a folder from before records were kept) we refuse too, and say how
 *   to stop it by hand.
 *
 * Stopping: SIGINT (PostgreSQL's fast shutdown: sessions ended, a checkpoint, a clean stop), and
 * if that has not finished in `FAST_SHUTDOWN_MS`, SIGQUIT (immediate shutdown; the next start
 * recovers from the WAL, which is what the WAL is for). Nothing is ever SIGKILLed.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from '@trygg/alarm-core';

/** How long a fast shutdown may take (its checkpoint writes what is dirty) before an immediate one. */
const FAST_SHUTDOWN_MS = 60_000;
const IMMEDIATE_SHUTDOWN_MS = 15_000;

interface ProcessInfo {
  ppid: number;
  /** Exited, not yet reaped by its parent. */
  zombie: boolean;
  argv: string[];
}

/** What the system says of `pid`; null when there is no such process. */
async function processInfo(pid: number): Promise<ProcessInfo | null> {
  if (process.platform === 'linux') {
    try {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ')'.
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter((a) => a !== '');
      return { ppid: Number(ppid), zombie: state === 'Z', argv };
    } catch {
      return null;
    }
  }
  // macOS and the BSDs: ps (arguments joined by spaces, so a data folder with a space in its path is not recognised).
  try {
    const { stdout } = await promisify(execFile)('ps', ['-o', 'ppid=,stat=,args=', '-p', String(pid)]);
    const m = /^\s*(\d+)\s+(\S+)\s+(.*)$/.exec(stdout.trim());
    return m ? { ppid: Number(m[1]), zombie: (m[2] ?? '').startsWith('Z'), argv: (m[3] ?? '').split(/\s+/) } : null;
  } catch {
    return null;
  }
}

/** `postgres … -D <dir> …`, running (not a zombie). */
function isServerOf(info: ProcessInfo | null, dir: string): info is ProcessInfo {
  if (!info || info.zombie || path.basename(info.argv[0] ?? '') !== 'postgres') return false;
  const d = info.argv.indexOf('-D');
  return d >= 0 && path.resolve(info.argv[d + 1] ?? '') === path.resolve(dir);
}

async function readPid(file: string): Promise<number | null> {
  const text = await readFile(file, 'utf8').catch(() => null);
  const pid = Number(text?.split('\n')[0]?.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/** Records this process as the one that started the server on `dir` (read back by `stopOrphanedServer`). */
export async function recordOwner(ownerFile: string): Promise<void> {
  await writeFile(ownerFile, `${process.pid}\n`);
}

/** Resolves true once `pid` is no longer the server of `dir`, false after `ms`. */
async function gone(pid: number, dir: string, ms: number): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    if (!isServerOf(await processInfo(pid), dir)) return true;
  }
  return false;
}

/**
 * Stops a PostgreSQL left running on `dir` by a Trygg that is gone (see the header); does
 * nothing when none runs. Throws when one runs that is not provably orphaned.
 */
export async function stopOrphanedServer(dir: string, ownerFile: string, logger: Logger): Promise<void> {
  const pid = await readPid(path.join(dir, 'postmaster.pid'));
  if (pid === null) return;
  const info = await processInfo(pid);
  if (!isServerOf(info, dir)) return; // a stale file, which PostgreSQL itself sees through
  const owner = await readPid(ownerFile);
  if (owner === null) {
    throw new Error(
      `a PostgreSQL (pid ${pid}) is running on ${dir} and no Trygg is recorded as its owner: if no Trygg uses it, stop it (kill -INT ${pid}) and start again`,
    );
  }
  if (info.ppid === owner) {
    throw new Error(
      owner === process.pid
        ? `this process already runs PostgreSQL on ${dir}`
        : `another Trygg (pid ${owner}) is running on ${dir}`,
    );
  }
  logger.warn({ pid, owner, dir }, 'embedded PostgreSQL left running by a Trygg that is gone: stopping it (fast shutdown)');
  process.kill(pid, 'SIGINT');
  if (await gone(pid, dir, FAST_SHUTDOWN_MS)) return;
  logger.warn({ pid }, 'the orphaned PostgreSQL did not finish its fast shutdown: immediate shutdown (recovery at start)');
  process.kill(pid, 'SIGQUIT');
  if (await gone(pid, dir, IMMEDIATE_SHUTDOWN_MS)) return;
  throw new Error(`the PostgreSQL left running on ${dir} (pid ${pid}) did not stop`);
}
