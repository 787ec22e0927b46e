/**
 * The engine's transactions, one per kind of input: each reads what the reducer needs, applies
 * it, and writes the alarm, its outbox rows, its timers, its timeline (and the inbox mark, the
 * processed command, the audit row) in one transaction. They return what was committed; the
 * engine carries out the effects afterwards.
 */
import { randomUUID } from 'node:crypto';
import type { Actor, Alarm, TimelineEntry } from '../contracts/alarm.js';
import type { AlarmCommand } from '../contracts/commands.js';
import type { DeviceEvent } from '../contracts/device-event.js';
import { alarmClassOf, opensAlarm, type DeviceEventType } from '../contracts/vocabulary.js';
import {
  execute,
  literal,
  onConnection,
  prepare,
  send,
  withTransaction,
  type Pool,
  type PoolClient,
  type Prepared,
  type TransactionOptions,
} from '../db/pool.js';
import { TryggError, type ErrorCode } from '../errors.js';
import type { Directory } from '../ports.js';
import { deviceEventEntryId } from '../journal/entry-id.js';
import type { HeldCancel, Notification, StepResult } from './draft.js';
import { step, type OpenContext } from './reducer.js';
import { isOpen } from './escalate.js';
import {
  claimDeviceEvent,
  HOLD_CANCEL,
  loadAlarmForUpdate,
  RELEASE_CANCEL,
  SAVE_ALARM_CHANGE,
  saveAlarmChangeValues,
  TAKE_DEVICE_EVENTS,
  toEntries,
  type TimelineRow,
} from './store.js';
import type { DueTimer } from './timers.js';

export interface Applied {
  result: StepResult;
  entries: TimelineEntry[];
}

export interface ApplyDeps {
  pool: Pool;
  directory: Directory;
  clock: () => Date;
}

/**
 * Serialises per-device work across processes; taken before any alarm of the device is read,
 * sent with the BEGIN (one round trip for both).
 */
const deviceLock = (deviceId: string): TransactionOptions => ({ opening: () => deviceLocks([deviceId]) });

/**
 * The devices' locks in one statement, in one order (sorted, before any row is touched): two
 * transactions never wait on each other's devices in a cycle.
 */
const deviceLocks = (deviceIds: readonly string[]): string =>
  `SELECT pg_advisory_xact_lock(hashtext('trygg:device:' || d)) FROM (SELECT unnest(${literal([...new Set(deviceIds)].sort())}::text[]) AS d ORDER BY 1) AS sorted`;

export function notificationsOf(result: StepResult): Notification[] {
  return result.effects.flatMap((e) => (e.type === 'notify' ? [e.notification] : []));
}

/** What a new alarm from this device gets; an unplaced device still reaches the response centre. */
async function context(deps: ApplyDeps, deviceId: string, type: DeviceEventType): Promise<OpenContext> {
  const ctx = await deps.directory.contextFor(deviceId, type);
  if (ctx) return { ...ctx, newAlarmId: randomUUID() };
  return {
    newAlarmId: randomUUID(),
    subject: { deviceId, residentId: null, residentName: null, siteId: null, siteName: null, address: null, room: null },
    roster: {
      relatives: [],
      'floor-staff': [],
      'site-staff': [],
      'response-centre': [
        { id: 'response-centre', name: 'Responssenteret', kind: 'response-centre', userId: null, reach: ['console'] },
      ],
      technicians: [],
    },
    chain: {
      source: 'fallback:unplaced-device',
      steps: [{ type: 'notify', to: ['response-centre'], timeoutS: 60 }],
      realertS: 60,
    },
  };
}

/** A device event's own journal entry, for the resident the device serves at this moment; once per event. */
const JOURNAL_DEVICE_EVENT: Prepared = {
  name: 'trygg_journal_device_event',
  text: `INSERT INTO journal_outbox (entry_id, kind, resident_id, record)
     SELECT $1, 'dispenser', d.resident_id,
            jsonb_build_object('deviceId', d.id, 'eventId', $3::text, 'type', $4::text, 'at', $5::text, 'residentId', d.resident_id)
       FROM devices d WHERE d.id = $2
     ON CONFLICT (entry_id) DO NOTHING`,
};

/** A closed alarm's journal entry; once per alarm. */
const JOURNAL_ALARM: Prepared = {
  name: 'trygg_journal_alarm',
  text: `INSERT INTO journal_outbox (entry_id, kind, alarm_id, resident_id, record) VALUES ($1, 'alarm', $1, $2, $3)
       ON CONFLICT (entry_id) DO NOTHING`,
};

const PERSIST: readonly Prepared[] = [SAVE_ALARM_CHANGE, JOURNAL_DEVICE_EVENT, JOURNAL_ALARM, HOLD_CANCEL, RELEASE_CANCEL];

/** Every statement the engine prepares on a connection (`warmPool` prepares them ahead). */
export const ENGINE_STATEMENTS: readonly Prepared[] = [TAKE_DEVICE_EVENTS, ...PERSIST];

/** What a step writes: its device events' journal entries, the alarm change, a closed alarm's journal entry. */
function writesOf(result: StepResult, now: Date): { statements: string[]; save: number | null } {
  const statements: string[] = [];
  for (const e of result.effects) {
    if (e.type === 'journal-event') {
      const { deviceId, event } = e;
      statements.push(
        execute(JOURNAL_DEVICE_EVENT, [deviceEventEntryId(deviceId, event.id), deviceId, event.id, event.type, event.ts]),
      );
    } else if (e.type === 'hold-cancel') {
      statements.push(execute(HOLD_CANCEL, [e.deviceId, e.eventId, now, e.subDevice]));
    } else if (e.type === 'release-cancel') {
      statements.push(execute(RELEASE_CANCEL, [e.deviceId, e.eventId]));
    }
  }
  const alarm = result.alarm;
  if (!alarm) return { statements, save: null };
  const save = statements.length;
  statements.push(execute(SAVE_ALARM_CHANGE, saveAlarmChangeValues(alarm, notificationsOf(result), result.entries)));
  if (result.effects.some((e) => e.type === 'journal')) {
    statements.push(execute(JOURNAL_ALARM, [alarm.id, alarm.subject.residentId, alarm]));
  }
  return { statements, save };
}

/**
 * Alarm, outbox, timers, timeline and journal entries of several steps in the caller's
 * transaction, followed by `tail` (COMMIT), all in one round trip; each step's timeline entries.
 */
async function persistAll(
  db: PoolClient,
  results: readonly StepResult[],
  now: Date,
  tail: readonly string[] = [],
): Promise<TimelineEntry[][]> {
  await prepare(db, PERSIST);
  const statements: string[] = [];
  const saves = results.map((r) => {
    const w = writesOf(r, now);
    const at = w.save === null ? null : statements.length + w.save;
    statements.push(...w.statements);
    return at;
  });
  if (statements.length + tail.length === 0) return saves.map(() => []);
  const out = await send(db, [...statements, ...tail]);
  return saves.map((at) => (at === null ? [] : toEntries((out[at]?.rows ?? []) as TimelineRow[])));
}

/** One step's writes in the caller's transaction; its timeline entries. */
export async function persist(db: PoolClient, result: StepResult, now: Date): Promise<TimelineEntry[]> {
  return (await persistAll(db, [result], now))[0] ?? [];
}

async function unappliedEvent(pool: Pool, deviceId: string, eventId: string): Promise<DeviceEvent | undefined> {
  const { rows } = await pool.query<{ payload: DeviceEvent }>(
    'SELECT payload FROM device_events WHERE device_id = $1 AND event_id = $2 AND processed_at IS NULL',
    [deviceId, eventId],
  );
  return rows[0]?.payload;
}

/**
 * A committed inbox row; null when it was applied already (exactly once). `stored` is the event
 * as the caller just committed it, which spares reading it back; without it (the sweep, a
 * duplicate) it is read from the inbox.
 */
export async function applyDeviceEvent(
  deps: ApplyDeps,
  deviceId: string,
  eventId: string,
  stored?: DeviceEvent,
): Promise<Applied | null> {
  const now = deps.clock();
  const event = stored ?? (await unappliedEvent(deps.pool, deviceId, eventId));
  if (!event) return null; // applied already, or never stored
  const cls = alarmClassOf(event.type);
  // Looked up before the transaction (never while holding locks and a connection): the
  // registry's answer for a new alarm; unused when the event joins an open one.
  const open = opensAlarm(event.type) ? await context(deps, deviceId, event.type) : null;
  return withTransaction(
    deps.pool,
    async (db) => {
      const { claimed, current, held } = await claimDeviceEvent(db, deviceId, eventId, cls, now);
      if (!claimed) return null; // applied meanwhile
      const result = step(current, { kind: 'device-event', deviceId, event, open, held }, now);
      return { result, entries: await persist(db, result, now) };
    },
    deviceLock(deviceId),
  );
}

/**
 * What became of an event handed in: stored now, a copy of one stored before (a resend), or an
 * id stored before for an event that said something else (a device whose counter restarted).
 */
export type AcceptResult = 'stored' | 'duplicate' | 'reused';

/**
 * An event's result and, when it was applied in the same transaction, the alarm it opened or
 * joined as it stands after the commit (null: it touched no alarm; undefined: not known here,
 * a copy of an event stored before).
 */
export interface TakeOutcome {
  result: AcceptResult;
  alarm?: { id: string; state: Alarm['state'] } | null;
}

export interface TakeItem {
  deviceId: string;
  event: DeviceEvent;
}

export interface Taken {
  result: AcceptResult;
  /** What applying the event committed (null for a duplicate: it was stored before). */
  applied: Applied | null;
}

/**
 * Fresh device events, stored and applied in one transaction of two round trips: (1) BEGIN, the
 * devices' locks, and one statement that stores and claims the events and loads the devices'
 * open alarms; (2) every write of every step, and COMMIT. The registry's answers for new alarms
 * are looked up beside the first. Events apply in the order given, each seeing the alarm the one
 * before it left. A duplicate (same device and id) is stored once and reported, not applied.
 * All or nothing: a failure rolls the whole batch back and throws.
 */
export async function takeDeviceEvents(deps: ApplyDeps, items: readonly TakeItem[]): Promise<Taken[]> {
  const now = deps.clock();
  // Looked up beside the first round trip (the directory has its own connections).
  const contexts = items.map(({ deviceId, event }) => (opensAlarm(event.type) ? context(deps, deviceId, event.type) : null));
  for (const c of contexts) c?.catch(() => undefined); // awaited below; not "unhandled" meanwhile
  return onConnection(deps.pool, ENGINE_STATEMENTS, async (client) => {
    const [, , took] = await send(client, [
      'BEGIN',
      deviceLocks(items.map((i) => i.deviceId)),
      execute(TAKE_DEVICE_EVENTS, [
        items.map((i) => i.deviceId),
        items.map((i) => i.event.id),
        items.map((i) => i.event.type),
        items.map((i) => i.event.ts),
        items.map((i) => JSON.stringify(i.event)),
        now,
      ]),
    ]);
    const key = (...parts: string[]) => parts.join('\u0000');
    const fresh = new Set<string>();
    const reused = new Set<string>();
    const open = new Map<string, Alarm>();
    const held = new Map<string, HeldCancel>();
    for (const r of (took?.rows ?? []) as TakeRow[]) {
      if (r.what === 'took') fresh.add(key(r.device_id, r.event_id));
      else if (r.what === 'reused') reused.add(key(r.device_id, r.event_id));
      else if (r.what === 'open') open.set(key(r.device_id, r.class), r.doc as Alarm);
      else {
        const h = { eventId: r.event_id, ...(r.doc as Omit<HeldCancel, 'eventId'>) };
        const before = held.get(r.device_id);
        if (!before || before.receivedAt < h.receivedAt) held.set(r.device_id, h);
      }
    }
    const steps: (StepResult | AcceptResult)[] = [];
    for (const [i, { deviceId, event }] of items.entries()) {
      // The first copy of a key stored now is fresh; any other copy is a duplicate (or a reuse).
      if (!fresh.delete(key(deviceId, event.id))) {
        steps.push(reused.has(key(deviceId, event.id)) ? 'reused' : 'duplicate');
        continue;
      }
      const k = key(deviceId, alarmClassOf(event.type));
      const input = {
        kind: 'device-event' as const,
        deviceId,
        event,
        open: (await contexts[i]) ?? null,
        held: held.get(deviceId),
      };
      const result = step(open.get(k) ?? null, input, now);
      if (result.alarm) {
        if (isOpen(result.alarm)) open.set(k, result.alarm);
        else open.delete(k);
      }
      // Later events of the batch see the held cancels as this one left them.
      for (const e of result.effects) {
        if (e.type === 'hold-cancel')
          held.set(e.deviceId, { eventId: e.eventId, receivedAt: now.toISOString(), subDevice: e.subDevice });
        if (e.type === 'release-cancel' && held.get(e.deviceId)?.eventId === e.eventId) held.delete(e.deviceId);
      }
      steps.push(result);
    }
    const applied = steps.filter((r): r is StepResult => typeof r !== 'string');
    const entries = await persistAll(client, applied, now, ['COMMIT']);
    let n = 0;
    return steps.map((result) =>
      typeof result === 'string'
        ? { result, applied: null }
        : { result: 'stored', applied: { result, entries: entries[n++] ?? [] } },
    );
  });
}

interface TakeRow {
  what: 'took' | 'reused' | 'open' | 'held';
  device_id: string;
  event_id: string;
  class: string;
  doc: unknown;
}

/**
 * A person's command, recorded once by its id (a retry gets the first answer) and audited
 * whether it was applied or refused. A refusal throws its TryggError after the commit.
 */
export async function applyCommand(
  deps: ApplyDeps,
  alarmId: string,
  command: AlarmCommand,
  actor: Actor,
): Promise<{ applied: Applied | null; alarm: Alarm }> {
  const now = deps.clock();
  const inputId = `cmd:${command.id}`;
  const fingerprint = JSON.stringify([alarmId, command, actor.userId]);
  const done = await withTransaction(deps.pool, async (db) => {
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
      return { applied: null, alarm: current, error: undefined };
    }
    const result = step(current, { kind: 'command', command, actor }, now);
    // Who did what to whose alarm, refused or not, in the same transaction as the change.
    await db.query(
      `INSERT INTO audit_events (actor_user_id, actor_role, action, entity_type, entity_id, resident_id, outcome, detail, subtype, patient_ids)
       VALUES ($1, $2, $3, 'alarm', $4, $5, $6, $7, 'update', CASE WHEN $5::text IS NULL THEN '{}' ELSE ARRAY[$5::text] END)`,
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
    if (result.error) return { applied: null, alarm: current, error: result.error };
    return { applied: { result, entries: await persist(db, result, now) }, alarm: result.alarm ?? current, error: undefined };
  });
  if (done.error) throw new TryggError(done.error);
  return { applied: done.applied, alarm: done.alarm };
}

/** A due timer; null when another node fired it or a change made it stale. */
export async function applyTimer(deps: ApplyDeps, t: DueTimer): Promise<Applied | null> {
  const now = deps.clock();
  // Cheap look first: a timer another node already fired costs no transaction or lock wait.
  const exists = await deps.pool.query('SELECT 1 FROM alarm_timers WHERE token = $1', [t.token]);
  if (exists.rowCount !== 1) return null;
  return withTransaction(deps.pool, async (db) => {
    const current = await loadAlarmForUpdate(db, t.alarmId);
    // Alarm first, then the timer row (the order every writer uses).
    const claimed = await db.query('DELETE FROM alarm_timers WHERE token = $1', [t.token]);
    if (claimed.rowCount !== 1 || !current) return null;
    const result = step(current, { kind: 'timer', token: t.token }, now);
    return { result, entries: await persist(db, result, now) };
  });
}

/** A device gone silent, or heard from again. */
export async function applySupervision(
  deps: ApplyDeps,
  deviceId: string,
  state: 'offline' | 'online',
  lastSeenAt: Date,
): Promise<Applied> {
  const now = deps.clock();
  const open = state === 'offline' ? await context(deps, deviceId, 'technical.offline') : null;
  return withTransaction(
    deps.pool,
    async (db) => {
      const { rows } = await db.query<{ doc: Alarm }>(
        `SELECT doc FROM alarms WHERE device_id = $1 AND type = 'technical.offline' AND state IN ('open', 'claimed', 'arrived') FOR UPDATE`,
        [deviceId],
      );
      const current = rows[0]?.doc ?? null;
      const result = step(current, { kind: 'supervision', deviceId, state, lastSeenAt: lastSeenAt.toISOString(), open }, now);
      return { result, entries: await persist(db, result, now) };
    },
    deviceLock(deviceId),
  );
}

/** Every channel of an alert notification failed (the deliverer): applied to its alarm. */
export async function applyUndeliverable(deps: ApplyDeps, n: Notification): Promise<Applied | null> {
  const now = deps.clock();
  return withTransaction(deps.pool, async (db) => {
    const current = await loadAlarmForUpdate(db, n.alarmId);
    if (!current) return null;
    const result = step(current, { kind: 'undeliverable', notificationId: n.id, recipientId: n.recipient.id, step: n.step }, now);
    if (result.entries.length === 0) return null;
    return { result, entries: await persist(db, result, now) };
  });
}
