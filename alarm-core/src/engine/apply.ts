/**
 * The engine's transactions, one per kind of input: each reads what the reducer needs, applies
 * it, and writes the alarm, its outbox rows, its timers, its timeline (and the inbox mark, the
 * processed command, the audit row) in one transaction. They return what was committed; the
 * engine carries out the effects afterwards.
 */
import { randomUUID } from 'node:crypto';
import type { Actor, Alarm, AlarmClass, TimelineEntry } from '../contracts/alarm.js';
import type { AlarmCommand } from '../contracts/commands.js';
import type { DeviceEvent } from '../contracts/device-event.js';
import { EVENT_TYPES, opensAlarm, type DeviceEventType } from '../contracts/vocabulary.js';
import { withTransaction, type Pool, type PoolClient, type TransactionOptions } from '../db/pool.js';
import { TryggError, type ErrorCode } from '../errors.js';
import type { Directory } from '../ports.js';
import { deviceEventEntryId } from '../journal/entry-id.js';
import type { Effect, Notification, StepResult } from './draft.js';
import { step, type OpenContext } from './reducer.js';
import { claimDeviceEvent, loadAlarmForUpdate, saveAlarmChange } from './store.js';
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
const deviceLock = (deviceId: string): TransactionOptions => ({
  opening: (db) => `SELECT pg_advisory_xact_lock(hashtext('trygg:device:' || ${db.escapeLiteral(deviceId)}))`,
});

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

/** Alarm, outbox, timers, timeline and (for a closed alarm) its journal entry in the caller's transaction. */
async function persist(db: PoolClient, result: StepResult): Promise<TimelineEntry[]> {
  for (const e of result.effects) if (e.type === 'journal-event') await journalDeviceEvent(db, e);
  const alarm = result.alarm;
  if (!alarm) return [];
  const entries = await saveAlarmChange(db, alarm, notificationsOf(result), result.entries);
  if (result.effects.some((e) => e.type === 'journal')) {
    await db.query(
      `INSERT INTO journal_outbox (entry_id, kind, alarm_id, resident_id, record) VALUES ($1, 'alarm', $1, $2, $3)
       ON CONFLICT (entry_id) DO NOTHING`,
      [alarm.id, alarm.subject.residentId, alarm],
    );
  }
  return entries;
}

/** A device event's own journal entry, for the resident the device serves at this moment; once per event. */
async function journalDeviceEvent(db: PoolClient, e: Extract<Effect, { type: 'journal-event' }>): Promise<void> {
  await db.query(
    `INSERT INTO journal_outbox (entry_id, kind, resident_id, record)
     SELECT $1, 'dispenser', d.resident_id,
            jsonb_build_object('deviceId', d.id, 'eventId', $3::text, 'type', $4::text, 'at', $5::text, 'residentId', d.resident_id)
       FROM devices d WHERE d.id = $2
     ON CONFLICT (entry_id) DO NOTHING`,
    [deviceEventEntryId(e.deviceId, e.event.id), e.deviceId, e.event.id, e.event.type, e.event.ts],
  );
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
  const kind = EVENT_TYPES[event.type].kind;
  const cls: AlarmClass = kind === 'technical' ? 'technical' : 'care';
  // Looked up before the transaction (never while holding locks and a connection): the
  // registry's answer for a new alarm; unused when the event joins an open one.
  const open = opensAlarm(event.type) ? await context(deps, deviceId, event.type) : null;
  return withTransaction(
    deps.pool,
    async (db) => {
      const { claimed, current } = await claimDeviceEvent(db, deviceId, eventId, cls, now);
      if (!claimed) return null; // applied meanwhile
      const result = step(current, { kind: 'device-event', deviceId, event, open }, now);
      return { result, entries: await persist(db, result) };
    },
    deviceLock(deviceId),
  );
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
    return { applied: { result, entries: await persist(db, result) }, alarm: result.alarm ?? current, error: undefined };
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
    return { result, entries: await persist(db, result) };
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
      return { result, entries: await persist(db, result) };
    },
    deviceLock(deviceId),
  );
}
