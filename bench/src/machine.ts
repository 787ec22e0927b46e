/**
 * The machine a benchmark ran on, and how busy other work kept it: /proc/stat is sampled once a
 * second during the run and split into the benchmark's own CPU (this process and its children —
 * the service, peers, SIPp, pgbench — the PostgreSQL backends of the run's databases, and
 * Mosquitto, a peer) and everything else. On a shared machine "everything else" is other
 * people's work competing for the same cores; a run where it is large measures the neighbours.
 */
import { readFile, readdir } from 'node:fs/promises';
import os from 'node:os';
import pg from 'pg';
import { machine } from './stats.js';

/** Cumulative CPU seconds since boot (Linux USER_HZ ticks are 1/100 s). */
interface Counters {
  at: number;
  total: number;
  idle: number;
  steal: number;
  ours: number;
}

/** Where a stretch of the run's CPU went, as shares of the whole machine (all cores) over it. */
export interface CpuShare {
  seconds: number;
  /** Busy with anything (user, system, irq), stolen time excluded. */
  busy: number;
  /** Of that, the benchmark's processes and its databases' backends. */
  ours: number;
  /** Of that, everything else on the machine. */
  other: number;
  /** Time the hypervisor gave our virtual CPUs to someone else. */
  steal: number;
}

/** More than half a core of other work on a 2-core machine (25 %) or 5 % steal: the figures move. */
export const BUSY_OTHER = 0.25;
export const BUSY_STEAL = 0.05;

const TICK = 100;

/** utime + stime + cutime + cstime of a /proc/<pid>/stat line (fields 14–17, after the comm). */
export function processTicks(stat: string): { ppid: number; ticks: number } | null {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state): field k is rest[k - 3].
  const ppid = Number(rest[1]);
  const ticks = [11, 12, 13, 14].reduce((s, i) => s + Number(rest[i]), 0);
  return Number.isFinite(ppid) && Number.isFinite(ticks) ? { ppid, ticks } : null;
}

/** The first line of /proc/stat: total, idle (with iowait) and steal ticks. */
export function machineTicks(procStat: string): { total: number; idle: number; steal: number } {
  const f = (procStat.split('\n')[0] ?? '').trim().split(/\s+/).slice(1, 9).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = f;
  return { total: user + nice + system + idle + iowait + irq + softirq + steal, idle: idle + iowait, steal };
}

export function share(a: Counters, b: Counters): CpuShare {
  const total = b.total - a.total || 1;
  const steal = (b.steal - a.steal) / total;
  const busy = (b.total - a.total - (b.idle - a.idle) - (b.steal - a.steal)) / total;
  const ours = Math.min(busy, (b.ours - a.ours) / total);
  return { seconds: (b.at - a.at) / 1000, busy, ours, other: Math.max(0, busy - ours), steal };
}

export class CpuSampler {
  private timer: NodeJS.Timeout | null = null;
  private db: pg.Client | null = null;
  /** Ticks of backends that were ours and have gone (their last reading stays counted). */
  private gone = 0;
  private seen = new Map<number, { ticks: number; tree: boolean }>();
  private last: Counters | null = null;
  private sampling: Promise<void> = Promise.resolve();

  /** `databasePrefix`: every database of this run starts with it (their backends are ours). */
  constructor(
    private readonly adminUrl: string,
    private readonly databasePrefix: string,
  ) {}

  async start(): Promise<void> {
    this.db = new pg.Client({ connectionString: this.adminUrl });
    this.db.on('error', () => undefined); // a lost sampler connection only loses the backends' share
    await this.db.connect();
    await this.sample();
    this.timer = setInterval(() => {
      this.sampling = this.sampling.then(() => this.sample()).catch(() => undefined);
    }, 1000);
  }

  /** The counters now, for a section's share (`share(before, after)`). */
  async now(): Promise<Counters> {
    await (this.sampling = this.sampling.then(() => this.sample()).catch(() => undefined));
    return this.last as Counters;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.sampling;
    await this.db?.end().catch(() => undefined);
  }

  /**
   * Our processes and their ticks: this process's tree (`tree`: a child's time moves into its
   * parent's cutime when it is reaped), and outside it Mosquitto and the run's backends.
   */
  private async ours(): Promise<Map<number, { ticks: number; tree: boolean }>> {
    const parents = new Map<number, number>();
    const ticks = new Map<number, number>();
    for (const d of await readdir('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      const s = await readFile(`/proc/${d}/stat`, 'utf8').catch(() => null);
      const p = s ? processTicks(s) : null;
      if (p) {
        parents.set(Number(d), p.ppid);
        ticks.set(Number(d), p.ticks);
      }
    }
    const tree = new Set<number>([process.pid]);
    for (let grew = true; grew;) {
      grew = false;
      for (const [pid, ppid] of parents) {
        if (!tree.has(pid) && tree.has(ppid)) {
          tree.add(pid);
          grew = true;
        }
      }
    }
    const outside = new Set<number>();
    const mosquitto = Number((await readFile('/run/mosquitto/mosquitto.pid', 'utf8').catch(() => '')).trim());
    if (mosquitto) outside.add(mosquitto);
    if (this.db) {
      const { rows } = await this.db
        .query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname LIKE $1 || '%'`, [this.databasePrefix])
        .catch(() => ({ rows: [] as { pid: number }[] }));
      for (const r of rows) outside.add(r.pid);
    }
    const out = new Map<number, { ticks: number; tree: boolean }>();
    for (const pid of tree) if (ticks.has(pid)) out.set(pid, { ticks: ticks.get(pid) ?? 0, tree: true });
    for (const pid of outside) if (ticks.has(pid) && !tree.has(pid)) out.set(pid, { ticks: ticks.get(pid) ?? 0, tree: false });
    return out;
  }

  private async sample(): Promise<void> {
    const m = machineTicks(await readFile('/proc/stat', 'utf8'));
    const current = await this.ours();
    // A backend (or Mosquitto) that ended keeps what it used; a child of ours that ended was
    // reaped into its parent's cutime, so it is still counted there.
    for (const [pid, p] of this.seen) if (!p.tree && !current.has(pid)) this.gone += p.ticks;
    this.seen = current;
    let ours = this.gone;
    for (const p of current.values()) ours += p.ticks;
    this.last = { at: Date.now(), total: m.total / TICK, idle: m.idle / TICK, steal: m.steal / TICK, ours: ours / TICK };
  }
}

/** The machine, with PostgreSQL's version (the server every figure also ran on). */
export async function describeMachine(adminUrl: string): Promise<Record<string, string | number>> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    const v = (await c.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version ?? 'unknown';
    return {
      ...machine(),
      postgres: v,
      loadBefore: os
        .loadavg()
        .map((x) => Number(x.toFixed(2)))
        .join(' '),
    };
  } finally {
    await c.end();
  }
}
