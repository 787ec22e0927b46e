/**
 * The local timer wheel: wakes the engine when an alarm's timer is due. The database is the
 * truth (alarm_timers); this only makes firing prompt. On start every stored timer is loaded
 * (overdue ones fire at once); a poll picks up timers other nodes scheduled. Firing the same
 * timer twice is harmless: the engine applies it only if it can still delete its row.
 */
import type { Queryable } from '../db/pool.js';

export interface DueTimer {
  token: string;
  alarmId: string;
  dueAt: Date;
}

/** Longest single setTimeout; later timers are re-armed when they come within reach. */
const MAX_DELAY = 2 ** 31 - 1;

export class TimerWheel {
  private readonly armed = new Map<string, NodeJS.Timeout>();
  private readonly firing = new Set<string>();
  private poller: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: Queryable,
    private readonly fire: (t: DueTimer) => void,
    private readonly pollMs = 1_000,
  ) {}

  /** Loads every stored timer and starts polling for ones scheduled elsewhere. */
  async start(): Promise<number> {
    const all = await this.load('SELECT token, alarm_id, due_at FROM alarm_timers');
    this.poller = setInterval(() => {
      this.load(`SELECT token, alarm_id, due_at FROM alarm_timers WHERE due_at <= now() + interval '2 seconds'`).catch(
        () => undefined,
      );
    }, this.pollMs);
    this.poller.unref();
    return all;
  }

  stop(): void {
    if (this.poller) clearInterval(this.poller);
    this.poller = null;
    for (const h of this.armed.values()) clearTimeout(h);
    this.armed.clear();
    this.firing.clear();
  }

  arm(t: DueTimer): void {
    if (this.armed.has(t.token) || this.firing.has(t.token)) return;
    const delay = Math.max(0, t.dueAt.getTime() - Date.now());
    const handle = setTimeout(
      () => {
        this.armed.delete(t.token);
        if (delay >= MAX_DELAY) {
          this.arm(t);
          return;
        }
        // Until the engine is done with it, a poll that still sees the row must not arm it again.
        this.firing.add(t.token);
        this.fire(t);
      },
      Math.min(delay, MAX_DELAY),
    );
    handle.unref();
    this.armed.set(t.token, handle);
  }

  /** The engine is done with a fired timer (applied, stale, or failed: a later poll retries). */
  settled(token: string): void {
    this.firing.delete(token);
  }

  disarm(token: string): void {
    const h = this.armed.get(token);
    if (h) clearTimeout(h);
    this.armed.delete(token);
  }

  get size(): number {
    return this.armed.size;
  }

  private async load(sql: string): Promise<number> {
    const { rows } = await this.db.query<{ token: string; alarm_id: string; due_at: Date }>(sql);
    for (const r of rows) this.arm({ token: r.token, alarmId: r.alarm_id, dueAt: r.due_at });
    return rows.length;
  }
}
