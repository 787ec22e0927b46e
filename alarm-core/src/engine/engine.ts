/**
 * The alarm engine: inputs (device events, people's commands, timers, supervision) as one rxjs
 * stream, applied in order per device or alarm (groupBy + concatMap here; advisory and row locks
 * across processes), each in one transaction with its timeline entries, notification outbox
 * rows and timer rows; effects go out only after commit. The reducer decides; this does the I/O.
 *
 * Three loops run beside the stream, none waiting for another: crash recovery (inbox rows nobody
 * applied), heartbeat supervision, and notification delivery (the deliverer, woken after commit).
 */
import type { Subscription } from 'rxjs';
import { EMPTY, Subject, catchError, concatMap, defer, groupBy, mergeMap, tap, timer } from 'rxjs';
import type { Actor, Alarm, TimelineEntry } from '../contracts/alarm.js';
import type { AlarmCommand } from '../contracts/commands.js';
import type { DeviceEvent } from '../contracts/device-event.js';
import { opensAlarm, type DeviceEventType } from '../contracts/vocabulary.js';
import type { LiveUpdate } from '../contracts/live.js';
import type { ChannelKind } from '../contracts/reach.js';
import { prepare, warmPool, type Pool, type Queryable } from '../db/pool.js';
import { TryggError } from '../errors.js';
import type { Channel, DeviceFeedbackSink, Directory, LiveSink, Logger } from '../ports.js';
import {
  applyCommand,
  applyUndeliverable,
  applyDeviceEvent,
  applySupervision,
  applyTimer,
  notificationsOf,
  ENGINE_STATEMENTS,
  takeDeviceEvents,
  type TakeOutcome,
  type Applied,
  type ApplyDeps,
  type TakeItem,
} from './apply.js';
import type { StepResult } from './draft.js';
import { Deliverer, type Channels, type DeliveryOptions } from './deliverer.js';
import { DeliveryLog } from './deliveries.js';
import type { Notification } from './draft.js';
import { superviseIncident } from './incident.js';
import { DEFAULT_SUPERVISION, findSupervisionChanges, type SupervisionSettings } from './supervision.js';
import { TimerWheel, type DueTimer } from './timers.js';

export interface EngineDeps {
  pool: Pool;
  directory: Directory;
  live: LiveSink;
  /**
   * The ways people are reached, by kind (push, sms, call); each notification walks its
   * recipient's `reach` through them. `console` (the response centre's live screens) is built in:
   * delivered once published live, which happened at commit.
   */
  channels: Channels;
  feedback: DeviceFeedbackSink;
  logger: Logger;
  clock?: () => Date;
  /** How often to look for unapplied inbox rows, and (separately) for silent devices. */
  sweepIntervalMs?: number;
  /** Where the deliverer keeps its outbox bookkeeping (default `pool`): not the alarm path's connections. */
  outboxPool?: Queryable;
  /** Notification delivery: concurrency, per-attempt timeout, attempts and backoff. */
  delivery?: DeliveryOptions;
  /**
   * Whether `start()` waits for the first sweep (default) or lets it run behind: a service
   * restarting after a crash with a backlog of unapplied events must take new ones at once.
   */
  awaitFirstSweep?: boolean;
  /** Seconds of silence beyond twice the heartbeat interval before a device is offline. */
  heartbeatGraceS?: number;
  /** Ingress staleness and the storm threshold (supervision.ts); `heartbeatGraceS` wins for the grace. */
  supervision?: Partial<SupervisionSettings>;
  /** Called after each timer is applied, with how late it fired (ms): for the benchmark. */
  onTimerFired?: (lateMs: number) => void;
}

/** The response centre's console: its operators see every alarm live, published at commit. */
const CONSOLE: Channel = { kind: 'console', send: () => Promise.resolve({ ref: null, state: 'delivered' }) };

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

export class AlarmEngine {
  private readonly deps: EngineDeps;
  private readonly clock: () => Date;
  private readonly jobs = new Subject<Job>();
  private readonly deliverer: Deliverer;
  /** Where channels report receipts and answers (`DeliveryReports`), and the facts' read side. */
  readonly deliveries: DeliveryLog;
  /** The channel kinds this installation can send on (the directory computes people's reach from it). */
  readonly channelKinds: readonly ChannelKind[];
  private readonly wheel: TimerWheel;
  private subscription: Subscription | null = null;
  private readonly loops: NodeJS.Timeout[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  private stopping = false;
  /** The loops running a round now: a round is never joined by the next tick's. */
  private readonly busy = new Set<'sweep' | 'supervision'>();

  constructor(deps: EngineDeps) {
    this.deps = deps;
    this.clock = deps.clock ?? (() => new Date());
    const outboxDb = deps.outboxPool ?? deps.pool;
    const channels: Channels = { console: CONSOLE, ...deps.channels };
    this.channelKinds = Object.keys(channels) as ChannelKind[];
    this.deliveries = new DeliveryLog({
      db: outboxDb,
      logger: deps.logger,
      onFact: (fact) => deps.live.publishDelivery?.(fact),
      wake: () => this.deliverer.wake(),
    });
    this.deliverer = new Deliverer(outboxDb, channels, this.deliveries, (n) => this.undeliverable(n), deps.logger, deps.delivery);
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
    this.deliverer.start();
    const sweep = () => this.round('sweep', () => this.recover());
    // Supervision has a loop of its own: a crash's backlog never delays an offline alarm.
    const supervise = () => this.round('supervision', () => this.supervise());
    if (this.deps.awaitFirstSweep === false) void sweep();
    else await sweep();
    void supervise();
    const every = this.deps.sweepIntervalMs ?? 5_000;
    this.loops.push(
      setInterval(() => void sweep(), every),
      setInterval(() => void supervise(), every),
    );
    for (const l of this.loops) l.unref();
  }

  /** Makes `connections` of the engine's pool and prepares its statements on each, ahead of the first event. */
  warm(connections: number): Promise<void> {
    return warmPool(this.deps.pool, connections, (c) => prepare(c, ENGINE_STATEMENTS));
  }

  /** Stops taking work and waits for what is in flight. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const l of this.loops.splice(0)) clearInterval(l);
    this.wheel.stop();
    await Promise.allSettled([...this.inFlight]);
    await this.deliverer.stop();
    this.subscription?.unsubscribe();
    this.subscription = null;
  }

  /**
   * Queues a committed inbox row for application; `stored` is the event as just committed (else
   * it is read back). Resolves when it has been applied.
   */
  submitDeviceEvent(deviceId: string, eventId: string, stored?: DeviceEvent): Promise<void> {
    return this.enqueue(`device:${deviceId}`, () => this.applyDeviceEvent(deviceId, eventId, stored));
  }

  /**
   * Fresh device events from the gateways, stored and applied in one transaction; resolves when
   * committed (so the device may be acknowledged), with each event's outcome, and the effects
   * have gone out. A duplicate that was stored but never applied (a crash) is applied after.
   */
  async take(items: readonly TakeItem[]): Promise<TakeOutcome[]> {
    if (this.stopping || !this.subscription) {
      throw new TryggError('TRYGG_ERR_STORE_UNAVAILABLE', 'engine is not running');
    }
    const p = takeDeviceEvents(this.applyDeps, items);
    this.inFlight.add(p);
    const forget = () => this.inFlight.delete(p);
    p.then(forget, forget);
    const taken = await p;
    for (const [i, t] of taken.entries()) {
      if (t.applied) this.afterCommit(t.applied);
      const item = items[i];
      if (t.result !== 'stored' && item) {
        this.submitDeviceEvent(item.deviceId, item.event.id).catch((err: unknown) => this.warn(err, 'duplicate'));
      }
    }
    return taken.map((t): TakeOutcome => {
      if (!t.applied) return { result: t.result };
      const { alarm } = t.applied.result;
      return { result: t.result, alarm: alarm ? { id: alarm.id, state: alarm.state } : null };
    });
  }

  /**
   * An event is being stored: what applying it will need from the registry is fetched now, beside
   * the inbox commit, not after it.
   */
  expect(deviceId: string, type: DeviceEventType): void {
    if (opensAlarm(type)) this.deps.directory.prefetch?.(deviceId, type);
  }

  /** Applies a person's command to an alarm; refused commands reject with a TryggError. */
  command(alarmId: string, command: AlarmCommand, actor: Actor): Promise<CommandOutcome> {
    return this.enqueue(`alarm:${alarmId}`, () => this.applyCommand(alarmId, command, actor));
  }

  /** Every channel of an alert failed: the alert becomes unreachable (and the chain may move on). */
  undeliverable(n: Notification): Promise<void> {
    return this.enqueue(`alarm:${n.alarmId}`, async () => {
      const done = await applyUndeliverable(this.applyDeps, n);
      if (done) this.afterCommit(done);
    });
  }

  /** Applies a due timer (once, whichever node gets there first). */
  fireTimer(t: DueTimer): Promise<void> {
    return this.enqueue(`alarm:${t.alarmId}`, () => this.applyTimer(t));
  }

  /**
   * Runs heartbeat supervision once (its own loop runs it periodically): first the incident (many
   * devices silent at once are one alarm), then each device not standing for an incident.
   */
  async supervise(): Promise<void> {
    const settings: SupervisionSettings = {
      ...DEFAULT_SUPERVISION,
      ...this.deps.supervision,
      graceS: this.deps.heartbeatGraceS ?? this.deps.supervision?.graceS ?? DEFAULT_SUPERVISION.graceS,
    };
    const round = await this.enqueue('device:trygg-system', () => superviseIncident(this.deps.pool, settings, this.clock));
    if (round.applied) this.afterCommit(round.applied);
    const changes = await findSupervisionChanges(this.deps.pool, settings);
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

  /** One round of a loop, unless the last is still running (a crash's backlog can take long). */
  private async round(loop: 'sweep' | 'supervision', run: () => Promise<void>): Promise<void> {
    if (this.stopping || this.busy.has(loop)) return;
    this.busy.add(loop);
    try {
      await run();
    } catch (err) {
      this.warn(err, loop);
    } finally {
      this.busy.delete(loop);
    }
  }

  /** Crash recovery: applies inbox rows nobody applied. */
  private async recover(): Promise<void> {
    const { rows } = await this.deps.pool.query<{ device_id: string; event_id: string }>(
      `SELECT device_id, event_id FROM device_events WHERE processed_at IS NULL ORDER BY received_at LIMIT 1000`,
    );
    await Promise.allSettled(rows.map((r) => this.submitDeviceEvent(r.device_id, r.event_id)));
  }

  private get applyDeps(): ApplyDeps {
    return { pool: this.deps.pool, directory: this.deps.directory, clock: this.clock };
  }

  private async applyDeviceEvent(deviceId: string, eventId: string, stored?: DeviceEvent): Promise<void> {
    const done = await applyDeviceEvent(this.applyDeps, deviceId, eventId, stored);
    if (done) this.afterCommit(done);
  }

  private async applyCommand(alarmId: string, command: AlarmCommand, actor: Actor): Promise<CommandOutcome> {
    const { applied, alarm } = await applyCommand(this.applyDeps, alarmId, command, actor);
    if (applied) this.afterCommit(applied);
    return { alarm, entries: applied?.entries ?? [] };
  }

  private async applyTimer(t: DueTimer): Promise<void> {
    const done = await applyTimer(this.applyDeps, t);
    if (!done) return;
    // Lateness as a person would see it: from the due time to the change being committed.
    this.deps.onTimerFired?.(Date.now() - t.dueAt.getTime());
    this.afterCommit(done);
  }

  private async applySupervision(deviceId: string, state: 'offline' | 'online', lastSeenAt: Date): Promise<void> {
    this.afterCommit(await applySupervision(this.applyDeps, deviceId, state, lastSeenAt));
  }

  /** Effects go out only once the change is durable. A failing port never undoes the change. */
  private afterCommit({ result, entries }: Applied): void {
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
    // The change wrote them to the outbox; the deliverer claims and sends them on its own loop.
    if (notificationsOf(result).length > 0) this.deliverer.wake();
    this.sendFeedback(result);
  }

  private sendFeedback(result: StepResult): void {
    for (const e of result.effects) {
      if (e.type === 'device-feedback') this.guard('device-feedback', () => this.deps.feedback.send(e.deviceId, e.feedback));
      if (e.type === 'test-received') {
        const probe = { deviceId: e.deviceId, eventId: e.eventId, appliedAt: new Date().toISOString() };
        this.guard('live', () => this.deps.live.probe?.(probe));
      }
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
