/**
 * Alarm persistence: load and save the alarm document, append timeline entries in commit order,
 * and the read queries the API and the live stream use.
 */
import type { Actor, Alarm, AlarmClass, TimelineEntry } from '../contracts/alarm.js';
import type { LiveUpdate } from '../contracts/live.js';
import type { PoolClient, Prepared, Queryable } from '../db/pool.js';
import type { EntryDraft, HeldCancel, Notification } from './draft.js';

/**
 * Timeline entries take their sequence number under this transaction-scoped advisory lock, so
 * numbers become visible in the order they were taken: a reader that has seen N has seen every
 * number below N. That is what makes resume-after-reconnect exact.
 */
const TIMELINE_LOCK = 0x7479_6767; // "tygg"

interface AlarmRow {
  doc: Alarm;
}

export async function loadAlarmForUpdate(db: PoolClient, id: string): Promise<Alarm | null> {
  const { rows } = await db.query<AlarmRow>('SELECT doc FROM alarms WHERE id = $1 FOR UPDATE', [id]);
  return rows[0]?.doc ?? null;
}

/**
 * Claims a stored device event for application and loads the device's open alarm of its class
 * (care or technical), locked, in one round trip. Not claimed when it was applied already.
 * Runs under the device's lock, so the statement's snapshot already sees every earlier event's
 * alarm change of this device.
 */
export async function claimDeviceEvent(
  db: PoolClient,
  deviceId: string,
  eventId: string,
  cls: AlarmClass,
  at: Date,
): Promise<{ claimed: boolean; current: Alarm | null; held: HeldCancel | null }> {
  const { rows } = await db.query<{ claimed: boolean; doc: Alarm | null; held: HeldCancel | null }>({
    name: 'trygg-claim-device-event',
    text: `WITH claimed AS (
       UPDATE device_events SET processed_at = $3 WHERE device_id = $1 AND event_id = $2 AND processed_at IS NULL RETURNING 1),
     open AS (
       SELECT doc FROM alarms WHERE device_id = $1 AND class = $4 AND state IN ('open', 'claimed', 'arrived') FOR UPDATE)
     SELECT EXISTS (SELECT 1 FROM claimed) AS claimed, (SELECT doc FROM open) AS doc,
            (SELECT jsonb_build_object('eventId', event_id, 'receivedAt', received_at, 'subDevice', sub_device)
               FROM pending_cancels WHERE device_id = $1 ORDER BY received_at DESC LIMIT 1) AS held`,
    values: [deviceId, eventId, at, cls],
  });
  const r = rows[0];
  return { claimed: r?.claimed === true, current: r?.doc ?? null, held: r?.held ?? null };
}

/**
 * Writes an alarm change in one statement: the alarm document, its timer rows (made to match
 * the alarm's pending timers), its new notification rows and its timeline entries, numbered.
 * One round trip instead of five keeps the transaction, and so every lock in it, short.
 *
 * Timeline entries take their numbers under the timeline lock, held until commit: no row reaches
 * the timeline insert (and its `seq` default) before the join has the lock CTE's single row.
 * Its rows are the new timeline entries (`toEntries`).
 */
export const SAVE_ALARM_CHANGE: Prepared = {
  name: 'trygg_save_alarm_change',
  text: `WITH saved AS (
       INSERT INTO alarms (id, device_id, resident_id, site_id, type, state, priority, opened_at, updated_at, closed_at, version, doc, class)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
       ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, priority = EXCLUDED.priority,
         updated_at = EXCLUDED.updated_at, closed_at = EXCLUDED.closed_at, version = EXCLUDED.version, doc = EXCLUDED.doc
       RETURNING id),
     stale AS (DELETE FROM alarm_timers WHERE alarm_id = $1 AND NOT (token = ANY ($14::text[]))),
     armed AS (
       INSERT INTO alarm_timers (token, alarm_id, kind, due_at)
       SELECT u.token, $1, u.kind, u.due_at FROM unnest($14::text[], $15::text[], $16::timestamptz[]) AS u(token, kind, due_at)
       ON CONFLICT (token) DO NOTHING),
     outbox AS (
       INSERT INTO notifications (id, alarm_id, recipient, kind, step, payload)
       SELECT u.id, $1, u.recipient, u.kind, u.step, u.payload
         FROM unnest($17::text[], $18::jsonb[], $19::text[], $20::int[], $21::jsonb[]) AS u(id, recipient, kind, step, payload)
       ON CONFLICT (id) DO NOTHING),
     numbering AS MATERIALIZED (SELECT pg_advisory_xact_lock($22) AS locked WHERE cardinality($23::text[]) > 0),
     timeline AS (
       INSERT INTO alarm_timeline (alarm_id, at, kind, actor, data)
       SELECT $1, $9, u.kind, u.actor, u.data
         FROM numbering, unnest($23::text[], $24::jsonb[], $25::jsonb[]) WITH ORDINALITY AS u(kind, actor, data, ord)
        ORDER BY u.ord
       RETURNING seq, alarm_id, at, kind, actor, data)
     SELECT seq, alarm_id, at, kind, actor, data FROM timeline`,
};

/** `SAVE_ALARM_CHANGE`'s values. */
export function saveAlarmChangeValues(
  alarm: Alarm,
  notifications: readonly Notification[],
  drafts: readonly EntryDraft[],
): unknown[] {
  const timers = alarm.escalation.timers;
  return [
    alarm.id,
    alarm.subject.deviceId,
    alarm.subject.residentId,
    alarm.subject.siteId,
    alarm.type,
    alarm.state,
    alarm.priority,
    alarm.openedAt,
    alarm.updatedAt,
    alarm.closedAt,
    alarm.version,
    alarm,
    alarm.class,
    timers.map((t) => t.token),
    timers.map((t) => t.kind),
    timers.map((t) => t.dueAt),
    notifications.map((n) => n.id),
    notifications.map((n) => JSON.stringify(n.recipient)),
    notifications.map((n) => n.kind),
    notifications.map((n) => n.step),
    notifications.map((n) => JSON.stringify(n)),
    TIMELINE_LOCK,
    drafts.map((d) => d.kind),
    drafts.map((d) => (d.actor === null ? null : JSON.stringify(d.actor))),
    drafts.map((d) => JSON.stringify(d.data)),
  ];
}

/** The timeline entries a `SAVE_ALARM_CHANGE` wrote, in order. */
export function toEntries(rows: readonly TimelineRow[]): TimelineEntry[] {
  return rows.map(toEntry).sort((a, b) => a.seq - b.seq);
}

/**
 * A stored event and a new one with the same id are the same event when they say the same thing.
 * Their times may differ a little: firmware that retries at the application level may stamp the
 * retry anew, and where Trygg stored its own receive time (`deviceTs` kept) a resend gets another
 * one. A counter that restarted reuses an old id for a new event, which says something else or
 * comes much later (over 5 minutes).
 */
export const SAME_EVENT = `(e.payload - 'ts') = (i.payload - 'ts')
  AND (e.payload ? 'deviceTs'
       OR abs(extract(epoch FROM (e.payload->>'ts')::timestamptz - (i.payload->>'ts')::timestamptz)) <= 300)`;

/**
 * Stores fresh device events and claims them in the same statement (they are applied in this
 * transaction), refreshes their devices' `last_seen_at`, and loads those devices' open alarms,
 * locked. Rows: `took` (device_id, event_id) for each event stored now (not a duplicate),
 * `reused` for an id stored before with other content, `open` (device_id, class, doc) for each
 * open alarm, `held` (device_id, event_id, doc = the cancel) for each cancel waiting for its alarm.
 * Run under the devices' locks, taken in an earlier statement, so its snapshot sees every earlier
 * change of theirs.
 */
export const TAKE_DEVICE_EVENTS: Prepared = {
  name: 'trygg_take_device_events',
  text: `WITH input AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::jsonb[])
         AS u(device_id, event_id, type, ts, payload)),
     seen AS (
       UPDATE devices SET last_seen_at = now()
        WHERE id IN (SELECT id FROM devices WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE)),
     took AS (
       INSERT INTO device_events (device_id, event_id, type, ts, payload, processed_at)
       SELECT device_id, event_id, type, ts, payload, $6 FROM input ORDER BY device_id, event_id
       ON CONFLICT (device_id, event_id) DO NOTHING
       RETURNING device_id, event_id),
     reused AS (
       SELECT i.device_id, i.event_id FROM input i JOIN device_events e USING (device_id, event_id)
        WHERE NOT (${SAME_EVENT})),
     open AS (
       SELECT device_id, class, doc FROM alarms
        WHERE device_id = ANY($1::text[]) AND state IN ('open', 'claimed', 'arrived') FOR UPDATE),
     held AS (
       SELECT device_id, event_id, jsonb_build_object('receivedAt', received_at, 'subDevice', sub_device) AS doc
         FROM pending_cancels WHERE device_id = ANY($1::text[]))
     SELECT 'took' AS what, device_id, event_id, NULL::text AS class, NULL::jsonb AS doc FROM took
     UNION ALL
     SELECT 'reused', device_id, event_id, NULL, NULL FROM reused
     UNION ALL
     SELECT 'open', device_id, NULL, class, doc FROM open
     UNION ALL
     SELECT 'held', device_id, event_id, NULL, doc FROM held`,
};

/** A cancel with no alarm to cancel yet, held for the alarm it may belong to ($1 device, $2 event, $3 at, $4 sub-device). */
export const HOLD_CANCEL: Prepared = {
  name: 'trygg_hold_cancel',
  text: `WITH stale AS (DELETE FROM pending_cancels WHERE device_id = $1 AND received_at < $3::timestamptz - interval '1 hour')
       INSERT INTO pending_cancels (device_id, event_id, received_at, sub_device) VALUES ($1, $2, $3, $4)
       ON CONFLICT (device_id, event_id) DO NOTHING`,
};

/** A held cancel, used up by the alarm it cancelled (or outlived), ($1 device, $2 event). */
export const RELEASE_CANCEL: Prepared = {
  name: 'trygg_release_cancel',
  text: 'DELETE FROM pending_cancels WHERE device_id = $1 AND event_id = $2',
};

export interface TimelineRow {
  seq: string;
  alarm_id: string;
  at: Date;
  kind: TimelineEntry['kind'];
  actor: Actor | null;
  data: Record<string, unknown>;
}

const toEntry = (r: TimelineRow): TimelineEntry => ({
  seq: Number(r.seq),
  alarmId: r.alarm_id,
  at: r.at.toISOString(),
  kind: r.kind,
  actor: r.actor,
  data: r.data,
});

/** Open alarms for the queue: priority first, then age. */
export async function listOpenAlarms(db: Queryable): Promise<Alarm[]> {
  const { rows } = await db.query<AlarmRow>(
    `SELECT doc FROM alarms WHERE state IN ('open', 'claimed', 'arrived') ORDER BY priority DESC, opened_at ASC`,
  );
  return rows.map((r) => r.doc);
}

export async function getAlarm(db: Queryable, id: string): Promise<Alarm | null> {
  const { rows } = await db.query<AlarmRow>('SELECT doc FROM alarms WHERE id = $1', [id]);
  return rows[0]?.doc ?? null;
}

/** The timelines of many alarms in one query, by alarm id, each in order. */
export async function getTimelines(db: Queryable, alarmIds: readonly string[]): Promise<Map<string, TimelineEntry[]>> {
  const out = new Map<string, TimelineEntry[]>(alarmIds.map((id) => [id, []]));
  if (alarmIds.length === 0) return out;
  const { rows } = await db.query<TimelineRow>(
    'SELECT seq, alarm_id, at, kind, actor, data FROM alarm_timeline WHERE alarm_id = ANY($1::uuid[]) ORDER BY alarm_id, seq',
    [alarmIds],
  );
  for (const r of rows) out.get(r.alarm_id)?.push(toEntry(r));
  return out;
}

export async function getTimeline(db: Queryable, alarmId: string): Promise<TimelineEntry[]> {
  const { rows } = await db.query<TimelineRow>(
    'SELECT seq, alarm_id, at, kind, actor, data FROM alarm_timeline WHERE alarm_id = $1 ORDER BY seq',
    [alarmId],
  );
  return rows.map(toEntry);
}

/** The newest sequence number committed. */
export async function timelineHead(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ head: string | null }>('SELECT max(seq) AS head FROM alarm_timeline');
  return Number(rows[0]?.head ?? 0);
}

/**
 * Updates after `after`, each with the alarm as it stands now (the client keeps the newest
 * version it has seen), at most `limit`; null when more than `limit` are missing.
 */
export async function updatesAfter(db: Queryable, after: number, limit: number): Promise<LiveUpdate[] | null> {
  const { rows } = await db.query<TimelineRow & { doc: Alarm }>(
    `SELECT t.seq, t.alarm_id, t.at, t.kind, t.actor, t.data, a.doc
       FROM alarm_timeline t JOIN alarms a ON a.id = t.alarm_id
      WHERE t.seq > $1 ORDER BY t.seq LIMIT $2`,
    [after, limit + 1],
  );
  if (rows.length > limit) return null;
  return rows.map((r) => ({ seq: Number(r.seq), entry: toEntry(r), alarm: r.doc }));
}
