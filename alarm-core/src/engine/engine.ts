/**
 * The alarm engine: inputs as one rxjs stream, applied in order per alarm (groupBy + concatMap
 * here, row locks across processes), each in one transaction with its timeline entries, the
 * effects carried out only after commit. The reducer decides; this file does the I/O.
 */
import { randomUUID } from 'node:crypto';
import type { Subscription } from 'rxjs';
import { Subject, concatMap, defer, groupBy, mergeMap, timer, EMPTY, catchError, tap } from 'rxjs';
import type { Actor, Alarm, TimelineEntry } from '../contracts/alarm.js';
import type { AlarmCommand } from '../contracts/commands.js';
import type { DeviceEvent } from '../contracts/device-event.js';
import type { LiveUpdate } from '../contracts/live.js';
import { TryggError, type ErrorCode } from '../errors.js';
import { withTransaction, type Pool, type PoolClient } from '../db/pool.js';
import type { DeviceFeedbackSink, Directory, LiveSink, Logger, Notifier } from '../ports.js';
import { step, type Effect, type StepResult } from './reducer.js';
import { appendTimeline, loadAlarmForUpdate, loadOpenAlarmOfDeviceForUpdate, saveAlarm } from './store.js';

export interface EngineDeps {
  pool: Pool;
  directory: Directory;
  live: LiveSink;
  notifier: Notifier;
  feedback: DeviceFeedbackSink;
  logger: Logger;
  clock?: () => Date;
  /** How often to look for inbox rows nobody processed (a crash between commit and apply). */
  sweepIntervalMs?: number;
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
const deviceLockSql = `SELECT pg_advisory_xact_lock(hashtext('trygg:device:' || $1))`;

export class AlarmEngine {
  private readonly deps: EngineDeps;
  private readonly clock: () => Date;
  private readonly jobs = new Subject<Job>();
  private subscription: Subscription | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;
  private inFlight = new Set<Promise<unknown>>();
  private stopping = false;

  constructor(deps: EngineDeps) {
    this.deps = deps;
    this.clock = deps.clock ?? (() => new Date());
  }

  /** Starts the pipeline and applies whatever the inbox holds that was never applied. */
  async start(): Promise<void> {
    this.stopping = false;
    this.subscription = this.jobs
      .pipe(
        // One lane per alarm (or device, for device events); a lane closes after a quiet minute.
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
    await this.sweep();
    const every = this.deps.sweepIntervalMs ?? 5_000;
    this.sweepTimer = setInterval(() => void this.sweep(), every);
    this.sweepTimer.unref();
  }

  /** Stops taking work and waits for what is in flight. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
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

  private enqueue<T>(key: string, run: () => Promise<T>): Promise<T> {
    if (this.stopping || !this.subscription)
      return Promise.reject(new TryggError('TRYGG_ERR_STORE_UNAVAILABLE', 'engine is not running'));
    const p = new Promise<T>((resolve, reject) => {
      this.jobs.next({ key, run, resolve: resolve as (v: unknown) => void, reject });
    });
    this.inFlight.add(p);
    const forget = () => this.inFlight.delete(p);
    p.then(forget, forget);
    return p;
  }

  /** Applies every inbox row nobody applied yet, oldest first. */
  private async sweep(): Promise<void> {
    if (this.stopping) return;
    try {
      const { rows } = await this.deps.pool.query<{ device_id: string; event_id: string }>(
        `SELECT device_id, event_id FROM device_events WHERE processed_at IS NULL ORDER BY received_at LIMIT 1000`,
      );
      await Promise.allSettled(rows.map((r) => this.submitDeviceEvent(r.device_id, r.event_id)));
    } catch (err) {
      this.deps.logger.warn({ err, code: 'TRYGG_ERR_STORE_UNAVAILABLE' }, 'inbox sweep failed; will retry');
    }
  }

  private async applyDeviceEvent(deviceId: string, eventId: string): Promise<void> {
    // Looked up outside the transaction: the subject is a snapshot, and the directory may cache.
    const subject = await this.deps.directory.subjectOf(deviceId);
    const now = this.clock();
    const done = await withTransaction(this.deps.pool, async (db) => {
      await db.query(deviceLockSql, [deviceId]);
      const { rows } = await db.query<{ payload: DeviceEvent; processed_at: Date | null }>(
        'SELECT payload, processed_at FROM device_events WHERE device_id = $1 AND event_id = $2 FOR UPDATE',
        [deviceId, eventId],
      );
      const row = rows[0];
      if (!row || row.processed_at !== null) return null; // applied already (exactly once)
      const current = await loadOpenAlarmOfDeviceForUpdate(db, deviceId);
      const result = step(
        current,
        {
          kind: 'device-event',
          deviceId,
          event: row.payload,
          subject: subject ?? {
            deviceId,
            residentId: null,
            residentName: null,
            siteId: null,
            siteName: null,
            address: null,
            room: null,
          },
          newAlarmId: randomUUID(),
        },
        now,
      );
      const entries = await this.persist(db, result, now);
      await db.query('UPDATE device_events SET processed_at = $3 WHERE device_id = $1 AND event_id = $2', [
        deviceId,
        eventId,
        now,
      ]);
      return { result, entries };
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
      await db.query('INSERT INTO processed_inputs (input_id, alarm_id, fingerprint, result) VALUES ($1, $2, $3, $4)', [
        inputId,
        alarmId,
        fingerprint,
        result.error ? { error: result.error } : { ok: true },
      ]);
      if (result.error) return { result, entries: [], alarm: current };
      const entries = await this.persist(db, result, now);
      return { result, entries, alarm: result.alarm ?? current };
    });
    if (done.result?.error) throw new TryggError(done.result.error);
    if (done.result) this.afterCommit(done.result, done.entries);
    return { alarm: done.alarm, entries: done.entries };
  }

  private async persist(db: PoolClient, result: StepResult, now: Date): Promise<TimelineEntry[]> {
    if (!result.alarm || result.entries.length === 0) return [];
    await saveAlarm(db, result.alarm);
    return appendTimeline(db, result.alarm.id, now, result.entries);
  }

  /** Effects go out only once the change is durable. A failing port never undoes the change. */
  private afterCommit(result: StepResult, entries: TimelineEntry[]): void {
    const { alarm } = result;
    if (alarm && entries.length > 0) {
      const updates: LiveUpdate[] = entries.map((entry) => ({ seq: entry.seq, entry, alarm }));
      this.guard('live', () => this.deps.live.publish(updates));
    }
    for (const effect of result.effects) this.guard(effect.type, () => this.carryOut(effect));
  }

  private carryOut(effect: Effect): void {
    switch (effect.type) {
      case 'notify':
        this.deps.notifier.notify({ alarmId: effect.alarmId, target: effect.target, reason: effect.reason });
        return;
      case 'device-feedback':
        this.deps.feedback.send(effect.deviceId, effect.feedback);
        return;
    }
  }

  private guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.deps.logger.error({ err, effect: what, code: 'TRYGG_ERR_INTERNAL' }, 'effect failed after commit');
    }
  }
}
