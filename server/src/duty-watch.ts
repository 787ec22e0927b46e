/**
 * Responders on duty (issue 20, item 3). Every `everyMs` it counts:
 *
 * - the response centre: operators (role `operator`; an administrator watching the queue is not
 *   a responder) with the console open now, on any node (live presence through the socket.io
 *   adapter). Fewer than `minOperators` is a gap: nobody at all, or one person alone, which is
 *   not considered sound in Norway (default minimum 2). Presence, not a session row: a session
 *   outlives a closed browser by hours, a console that is open is someone at the desk.
 * - each floor of an institution that watches something: nobody on shift there now (the
 *   directory's rule, devices/registry/duty.ts) is a gap: an alarm there would skip floor staff.
 *
 * A gap is raised once (an error line with its code, and `onChange`, which the service sends
 * live to administrators, the leader), and cleared when the condition ends (an info line and
 * `onChange` again). For `graceMs` after start nothing is raised, so consoles have time to
 * reconnect after a restart instead of the leader being alarmed by the restart itself.
 */
import type { DutyGap, DutyState, Logger } from '@trygg/alarm-core';
import type { FloorDuty } from '@trygg/devices';

export interface DutyWatchDeps {
  /** Operators with the console open now (user ids). */
  operatorsOnline(): Promise<number>;
  floors(): Promise<FloorDuty[]>;
  minOperators: number;
  /** After start, how long before a gap may be raised. */
  graceMs: number;
  everyMs: number;
  onChange(state: DutyState): void;
  logger: Logger;
  now?: () => number;
}

type Found = Omit<DutyGap, 'since'>;
const keyOf = (g: Pick<DutyGap, 'kind' | 'siteId'>) => `${g.kind}:${g.siteId ?? ''}`;

export class DutyWatch {
  private readonly gaps = new Map<string, DutyGap>();
  private readonly startedAt: number;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private published = '';

  constructor(private readonly deps: DutyWatchDeps) {
    this.startedAt = this.now();
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  start(): void {
    this.timer = setInterval(() => {
      this.running ??= this.check()
        .catch((err: unknown) => this.deps.logger.warn({ err }, 'duty check failed; will retry'))
        .finally(() => (this.running = null));
    }, this.deps.everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One look; returns the gaps standing after it. */
  async check(): Promise<DutyState> {
    const [operators, floors] = await Promise.all([this.deps.operatorsOnline(), this.deps.floors()]);
    const found: Found[] = [];
    const min = this.deps.minOperators;
    if (operators < min) found.push({ kind: 'response-centre', siteId: null, siteName: null, onDuty: operators, minimum: min });
    for (const f of floors) {
      if (f.onDuty === 0) found.push({ kind: 'floor', siteId: f.siteId, siteName: f.name, onDuty: 0, minimum: 1 });
    }
    const t = this.now();
    const inGrace = t - this.startedAt < this.deps.graceMs;
    const foundKeys = new Set(found.map(keyOf));
    for (const [k, gap] of this.gaps) {
      if (foundKeys.has(k)) continue;
      this.gaps.delete(k);
      this.deps.logger.info({ gap }, 'responders on duty: gap closed');
    }
    if (!inGrace) {
      for (const f of found) {
        const k = keyOf(f);
        const before = this.gaps.get(k);
        const gap: DutyGap = { ...f, since: before?.since ?? new Date(t).toISOString() };
        this.gaps.set(k, gap);
        if (!before) this.deps.logger.error({ code: 'TRYGG_ERR_NOBODY_ON_DUTY', gap }, 'responders on duty: too few');
      }
    }
    const state: DutyState = { gaps: [...this.gaps.values()], checkedAt: new Date(t).toISOString() };
    const key = JSON.stringify(state.gaps);
    if (key !== this.published) {
      this.published = key;
      this.deps.onChange(state);
    }
    return state;
  }

  /** The gaps standing now. */
  get state(): DutyState {
    return { gaps: [...this.gaps.values()], checkedAt: new Date(this.now()).toISOString() };
  }
}
