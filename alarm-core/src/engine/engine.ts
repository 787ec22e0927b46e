/**
 * The alarm engine: inputs (device events, people's commands, timers, supervision) as one rxjs
 * stream, applied in order per device or alarm (groupBy + concatMap here; advisory and row locks
 * across processes), each in one transaction with its timeline entries, notification outbox
 * rows and timer rows; effects go out only after commit. The reducer decides; this does the I/O.
 */
import { randomUUID } from 'node:crypto';
import type { Subscription } from 'rxjs';
import { EMPTY, Subject, catchError, concatMap, defer, groupBy, mergeMap, tap, timer } from 'rxjs';
import type { Actor, Alarm, AlarmClass, TimelineEntry } from '../contracts/alarm.js';
import type { AlarmCommand } from '../contracts/commands.js';
import type { DeviceEvent } from '../contracts/device-event.js';
import type { LiveUpdate } from '../contracts/live.js';
import { EVENT_TYPES, type DeviceEventType } from '../contracts/vocabulary.js';
import { withTransaction, type Pool, type PoolClient } from '../db/pool.js';
import { TryggError, type ErrorCode } from '../errors.js';
import type { DeviceFeedbackSink, Directory, LiveSink, Logger, Notifier } from '../ports.js';
import type { Notification, StepResult } from './draft.js';
import { Outbox } from './outbox.js';
import { step, type OpenContext } from './reducer.js';
import { appendTimeline, loadAlarmForUpdate, loadOpenAlarmOfDeviceForUpdate, saveAlarmChange } from './store.js';
import { findSupervisionChanges } from './supervision.js';
import { TimerWheel, type DueTimer } from './timers.js';

export interface EngineDeps {
  pool: Pool;
  directory: Directory;
  live: LiveSink;
  notifier: Notifier;
  feedback: DeviceFeedbackSink;
  logger: Logger;
  clock?: () => Date;
  /** How often to look for unapplied inbox rows, unsent notifications and silent devices. */
  sweepIntervalMs?: number;
  /** Seconds of silence beyond twice the heartbeat interval before a device is offline. */
  heartbeatGraceS?: number;
  /** Called after each timer is applied, with how late it fired (ms): for the benchmark. */
  onTimerFired?: (lateMs: number) => void;
}

export interface CommandOutcome {
  alarm: Alarm;
  entries: TimelineEntry[];
}

interface Job {
  key: string;
  run: () => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/** Serialises per-device work across processes; taken before any alarm of the device is read. */
const DEVICE_LOCK = `SELECT pg_advisory_xact_lock(hashtext('trygg:device:' || $1))`;

export class AlarmEngine {
  private readonly deps: EngineDeps;
  private readonly clock: () => Date;
  private readonly jobs = new Subject<Job>();
  private readonly outbox: Outbox;
  private readonly wheel: TimerWheel;
  private subscription: Subscription | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;
  private readonly inFlight = new Set<Promise<unknown>>();
  private stopping = false;

  constructor(deps: EngineDeps) {
    this.deps = deps;
    this.clock = deps.clock ?? (() => new Date());
    this.outbox = new Outbox(deps.pool, deps.notifier, deps.logger);
    this.wheel = new TimerWheel(deps.pool, (t) => {
      this.fireTimer(t)
        .catch((err: unknown) => this.warn(err, 'timer'))
        .finally(() => this.wheel.settled(t.token));
    });
  }

  /** Starts the pipeline, re-arms every stored timer (overdue ones fire now) and applies the inbox. */
  async start(): Promise<void> {
    this.stopping = false;
    this.subscription = this.jobs
      .pipe(
        // One lane per alarm or device; a lane closes after a quiet minute.
        groupBy((job) => job.key, { duration: (lane) => lane.pipe(mergeMap(() => timer(60_000))) }),
        mergeMap((lane) =>
          lane.pipe(
            concatMap((job) =>
              defer(job.run).pipe(
                tap({ next: job.resolve }),
                catchError((err: unknown) => {
                  job.reject(err);
                  return EMPTY;
                }),
              ),
            ),
          ),
        ),
      )
      .subscribe();
    const timers = await this.wheel.start();
    this.deps.logger.info({ timers }, 'engine started; timers re-armed');
    await this.sweep();
    this.sweepTimer = setInterval(() => void this.sweep(), this.deps.sweepIntervalMs ?? 5_000);
    this.sweepTimer.unref();
  }

  /** Stops taking work and waits for what is in flight. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
    this.wheel.stop();
    await Promise.allSettled([...this.inFlight]);
    this.subscription?.unsubscribe();
    this.subscription = null;
  }

  /** Queues a committed inbox row for application. Resolves when it has been applied. */
  submitDeviceEvent(deviceId: string, eventId: string): Promise<void> {
    return this.enqueue(`device:${deviceId}`, () => this.applyDeviceEvent(deviceId, eventId));
  }

  /** Applies a person's command to an alarm; refused commands reject with a TryggError. */
  command(alarmId: string, command: AlarmCommand, actor: Actor): Promise<CommandOutcome> {
    return this.enqueue(`alarm:${alarmId}`, () => this.applyCommand(alarmId, command, actor));
  }

  /** Applies a due timer (once, whichever node gets there first). */
  fireTimer(t: DueTimer): Promise<void> {
    return this.enqueue(`alarm:${t.alarmId}`, () => this.applyTimer(t));
  }

  /** Runs heartbeat supervision once (the sweep runs it periodically). */
  async supervise(): Promise<void> {
    const changes = await findSupervisionChanges(this.deps.pool, this.deps.heartbeatGraceS ?? 60);
    await Promise.allSettled(
      changes.map((c) =>
        this.enqueue(`device:${c.deviceId}`, () => this.applySupervision(c.deviceId, c.state, c.lastSeenAt)).catch(
          (err: unknown) => this.warn(err, 'supervision'),
        ),
      ),
    );
  }

  private enqueue<T>(key: string, run: () => Promise<T>): Promise<T> {
    if (this.stopping || !this.subscription) {
      return Promise.reject(new TryggError('TRYGG_ERR_STORE_UNAVAILABLE', 'engine is not running'));
    }
    const p = new Promise<T>((resolve, reject) => {
      this.jobs.next({ key, run, resolve: resolve as (v: unknown) => void, reject });
    });
    this.inFlight.add(p);
    const forget = () => this.inFlight.delete(p);
    p.then(forget, forget);
    return p;
  }

  /** Applies unapplied inbox rows, delivers unsent notifications, supervises heartbeats. */
  private async sweep(): Promise<void> {
    if (this.stopping) return;
    try {
      const { rows } = await this.deps.pool.query<{ device_id: string; event_id: string }>(
        `SELECT device_id, event_id FROM device_events WHERE processed_at IS NULL ORDER BY received_at LIMIT 1000`,
      );
      await Promise.allSettled(rows.map((r) => this.submitDeviceEvent(r.device_id, r.event_id)));
      await this.outbox.sweep(2_000);
      await this.supervise();
    } catch (err) {
      this.warn(err, 'sweep');
    }
  }

  private async context(deviceId: string, type: DeviceEventType): Promise<OpenContext> {
    const ctx = await this.deps.directory.contextFor(deviceId, type);
    if (ctx) return { ...ctx, newAlarmId: randomUUID() };
    // An event from a device the registry cannot place still opens an alarm at the response centre.
    return {
      newAlarmId: randomUUID(),
      subject: { deviceId, residentId: null, residentName: null, siteId: null, siteName: null, address: null, room: null },
      roster: {
        relatives: [],
        'floor-staff': [],
        'site-staff': [],
        'response-centre': [{ id: 'response-centre', name: 'Responssenteret', kind: 'response-centre', userId: null }],
        technicians: [],
      },
      chain: {
        source: 'fallback:unplaced-device',
        steps: [{ type: 'notify', to: ['response-centre'], timeoutS: 60 }],
        realertS: 60,
      },
    };
  }

  private async applyDeviceEvent(deviceId: string, eventId: string): Promise<void> {
    const now = this.clock();
    const { rows } = await this.deps.pool.query<{ payload: DeviceEvent }>(
      'SELECT payload FROM device_events WHERE device_id = $1 AND event_id = $2 AND processed_at IS NULL',
      [deviceId, eventId],
    );
    const event = rows[0]?.payload;
    if (!event) return; // applied already, or never stored
    const kind = EVENT_TYPES[event.type].kind;
    const cls: AlarmClass = kind === 'technical' ? 'technical' : 'care';
    // Looked up before the transaction (never while holding locks and a connection): the
    // registry's answer for a new alarm; unused when the event joins an open one.
    const open = kind === 'alarm' || kind === 'technical' ? await this.context(deviceId, event.type) : null;
    const done = await withTransaction(this.deps.pool, async (db) => {
      await db.query(DEVICE_LOCK, [deviceId]);
      const row = await db.query<{ processed_at: Date | null }>(
        'SELECT processed_at FROM device_events WHERE device_id = $1 AND event_id = $2 FOR UPDATE',
        [deviceId, eventId],
      );
      if (row.rows[0]?.processed_at !== null) return null; // applied meanwhile (exactly once)
      const current = await loadOpenAlarmOfDeviceForUpdate(db, deviceId, cls);
      const result = step(current, { kind: 'device-event', deviceId, event, open }, now);
      await db.query('UPDATE device_events SET processed_at = $3 WHERE device_id = $1 AND event_id = $2', [
        deviceId,
        eventId,
        now,
      ]);
      return { result, entries: await this.persist(db, result) };
    });
    if (done) this.afterCommit(done.result, done.entries);
  }

  private async applyCommand(alarmId: string, command: AlarmCommand, actor: Actor): Promise<CommandOutcome> {
    const now = this.clock();
    const inputId = `cmd:${command.id}`;
    const fingerprint = JSON.stringify([alarmId, command, actor.userId]);
    const done = await withTransaction(this.deps.pool, async (db) => {
      const current = await loadAlarmForUpdate(db, alarmId);
      if (!current) throw new TryggError('TRYGG_ERR_ALARM_NOT_FOUND');
      // The alarm row lock is held: a concurrent retry of the same command waits here, then sees it.
      const seen = await db.query<{ fingerprint: string; result: { error?: ErrorCode } }>(
        'SELECT fingerprint, result FROM processed_inputs WHERE input_id = $1',
        [inputId],
      );
      const prior = seen.rows[0];
      if (prior) {
        if (prior.fingerprint !== fingerprint) throw new TryggError('TRYGG_ERR_COMMAND_ID_REUSED');
        if (prior.result.error) throw new TryggError(prior.result.error);
        return { result: null, entries: [], alarm: current };
      }
      const result = step(current, { kind: 'command', command, actor }, now);
      // Who did what to whose alarm, refused or not, in the same transaction as the change.
      await db.query(
        `INSERT INTO audit_events (actor_user_id, actor_role, action, entity_type, entity_id, resident_id, outcome, detail)
         VALUES ($1, $2, $3, 'alarm', $4, $5, $6, $7)`,
        [
          actor.userId,
          actor.role,
          `alarm.${command.type}`,
          alarmId,
          current.subject.residentId,
          result.error ?? 'success',
          { commandId: command.id },
        ],
      );
      await db.query('INSERT INTO processed_inputs (input_id, alarm_id, fingerprint, result) VALUES ($1, $2, $3, $4)', [
        inputId,
        alarmId,
        fingerprint,
        result.error ? { error: result.error } : { ok: true },
      ]);
      if (result.error) return { result, entries: [], alarm: current };
      const entries = await this.persist(db, result);
      return { result, entries, alarm: result.alarm ?? current };
    });
    if (done.result?.error) throw new TryggError(done.result.error);
    if (done.result) this.afterCommit(done.result, done.entries);
    return { alarm: done.alarm, entries: done.entries };
  }

  private async applyTimer(t: DueTimer): Promise<void> {
    const now = this.clock();
    // Cheap look first: a timer another node already fired costs no transaction or lock wait.
    const exists = await this.deps.pool.query('SELECT 1 FROM alarm_timers WHERE token = $1', [t.token]);
    if (exists.rowCount !== 1) return;
    const done = await withTransaction(this.deps.pool, async (db) => {
      const current = await loadAlarmForUpdate(db, t.alarmId);
      // Alarm first, then the timer row (the order every writer uses). A row already gone was
      // fired by another node or made stale by a change: nothing to do.
      const claimed = await db.query('DELETE FROM alarm_timers WHERE token = $1', [t.token]);
      if (claimed.rowCount !== 1 || !current) return null;
      const result = step(current, { kind: 'timer', token: t.token }, now);
      const entries = await this.persist(db, result);
      return { result, entries };
    });
    if (!done) return;
    // Lateness as a person would see it: from the due time to the change being committed.
    this.deps.onTimerFired?.(Date.now() - t.dueAt.getTime());
    this.afterCommit(done.result, done.entries);
  }

  private async applySupervision(deviceId: string, state: 'offline' | 'online', lastSeenAt: Date): Promise<void> {
    const now = this.clock();
    const open = state === 'offline' ? await this.context(deviceId, 'technical.offline') : null;
    const done = await withTransaction(this.deps.pool, async (db) => {
      await db.query(DEVICE_LOCK, [deviceId]);
      const { rows } = await db.query<{ doc: Alarm }>(
        `SELECT doc FROM alarms WHERE device_id = $1 AND type = 'technical.offline' AND state IN ('open', 'claimed', 'arrived') FOR UPDATE`,
        [deviceId],
      );
      const current = rows[0]?.doc ?? null;
      const result = step(current, { kind: 'supervision', deviceId, state, lastSeenAt: lastSeenAt.toISOString(), open }, now);
      return { result, entries: await this.persist(db, result) };
    });
    this.afterCommit(done.result, done.entries);
  }

  /**
   * Alarm, outbox, timers and timeline in the caller's transaction. The timeline goes last: its
   * numbering lock is held until commit, so the less after it, the more inputs per second.
   */
  private async persist(db: PoolClient, result: StepResult): Promise<TimelineEntry[]> {
    const alarm = result.alarm;
    if (!alarm) return [];
    await saveAlarmChange(db, alarm, notificationsOf(result));
    if (result.effects.some((e) => e.type === 'journal')) {
      await db.query('INSERT INTO journal_outbox (alarm_id, record) VALUES ($1, $2) ON CONFLICT (alarm_id) DO NOTHING', [
        alarm.id,
        alarm,
      ]);
    }
    return appendTimeline(db, alarm.id, new Date(alarm.updatedAt), result.entries);
  }

  /** Effects go out only once the change is durable. A failing port never undoes the change. */
  private afterCommit(result: StepResult, entries: TimelineEntry[]): void {
    const { alarm } = result;
    if (!alarm) {
      this.sendFeedback(result);
      return;
    }
    for (const t of alarm.escalation.timers) this.wheel.arm({ token: t.token, alarmId: alarm.id, dueAt: new Date(t.dueAt) });
    if (entries.length > 0) {
      const updates: LiveUpdate[] = entries.map((entry) => ({ seq: entry.seq, entry, alarm }));
      this.guard('live', () => this.deps.live.publish(updates));
    }
    const ns = notificationsOf(result);
    if (ns.length > 0) this.outbox.deliver(ns).catch((err: unknown) => this.warn(err, 'notify'));
    this.sendFeedback(result);
  }

  private sendFeedback(result: StepResult): void {
    for (const e of result.effects) {
      if (e.type === 'device-feedback') this.guard('device-feedback', () => this.deps.feedback.send(e.deviceId, e.feedback));
    }
  }

  private guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.deps.logger.error({ err, effect: what, code: 'TRYGG_ERR_INTERNAL' }, 'effect failed after commit');
    }
  }

  private warn(err: unknown, what: string): void {
    this.deps.logger.warn({ err, what, code: 'TRYGG_ERR_STORE_UNAVAILABLE' }, `${what} failed; will retry`);
  }
}

function notificationsOf(result: StepResult): Notification[] {
  return result.effects.flatMap((e) => (e.type === 'notify' ? [e.notification] : []));
}
