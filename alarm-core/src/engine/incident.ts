/**
 * A supervision incident: many devices gone silent at once (a broker, a network, a mobile
 * operator down) become one technical alarm to technicians and the response centre, naming how
 * many devices and which sites, instead of one offline alarm each (docs/supervision.md).
 *
 * The incident is an alarm of the device `trygg-system` (Trygg itself), made by the first
 * incident; the devices it stands for are rows of `supervision_incident_devices`. A device heard
 * from again is marked back; while the incident is open, devices that go silent join it; once
 * fewer than the threshold are still silent, the incident clears itself and the devices still
 * silent are supervised one by one again (their own offline alarms follow).
 *
 * One round runs in one transaction under the `trygg-system` device lock, so two engine nodes
 * never open two incidents.
 */
import { randomUUID } from 'node:crypto';
import type { Alarm } from '../contracts/alarm.js';
import type { Chain, Roster } from '../contracts/escalation.js';
import { withTransaction, type Pool, type PoolClient } from '../db/pool.js';
import { isOpen } from './escalate.js';
import { persist, type Applied } from './apply.js';
import { step, type OpenContext } from './reducer.js';
import { findOverdue, stormThreshold, type SupervisionSettings } from './supervision.js';

/** The device id of Trygg itself, the subject of its own incidents. */
export const SYSTEM_DEVICE_ID = 'trygg-system';

/** Technicians and the response centre together, re-alerted every 15 minutes (as an offline alarm button). */
const INCIDENT_CHAIN: Chain = {
  source: 'default:supervision-incident',
  steps: [{ type: 'notify', to: ['technicians', 'response-centre'], timeoutS: 15 * 60 }],
  realertS: 15 * 60,
};

const OPEN_INCIDENT = `SELECT doc FROM alarms WHERE device_id = '${SYSTEM_DEVICE_ID}' AND type = 'technical.offline'
   AND state IN ('open', 'claimed', 'arrived') FOR UPDATE`;

export interface IncidentRound {
  /** What was committed (an incident opened or cleared), for the engine's effects. */
  applied: Applied | null;
  /** The open incident after this round, if any. */
  incident: { alarmId: string; silent: number; total: number } | null;
}

/** One round: marks members back, lets newly silent devices join, opens or clears the incident. */
export async function superviseIncident(pool: Pool, s: SupervisionSettings, now: () => Date): Promise<IncidentRound> {
  return withTransaction(
    pool,
    async (db) => {
      const current = (await db.query<{ doc: Alarm }>(OPEN_INCIDENT)).rows[0]?.doc ?? null;
      const { supervised, overdue } = await findOverdue(db, s);
      const threshold = stormThreshold(s, supervised);
      if (!current || !isOpen(current)) {
        if (overdue.length < threshold) return { applied: null, incident: null };
        return open(db, overdue, now());
      }
      await db.query(
        `UPDATE supervision_incident_devices m SET back_at = now() FROM devices d
          WHERE m.alarm_id = $1 AND m.back_at IS NULL AND d.id = m.device_id AND d.last_seen_at > m.last_seen_at`,
        [current.id],
      );
      await join(db, current.id, overdue);
      const { rows } = await db.query<{ silent: string; total: string }>(
        `SELECT count(*) FILTER (WHERE back_at IS NULL) AS silent, count(*) AS total FROM supervision_incident_devices WHERE alarm_id = $1`,
        [current.id],
      );
      const silent = Number(rows[0]?.silent ?? 0);
      const total = Number(rows[0]?.total ?? 0);
      if (overdue.length > 0) {
        // The count the queue shows follows the devices that joined (a fleet seldom falls silent
        // in one round: heartbeats are spread over an interval). Not a change of the alarm's
        // state, so no version or timeline entry: the card reads it when it is next loaded.
        await db.query(`UPDATE alarms SET doc = jsonb_set(doc, '{subject,location}', to_jsonb($2::text)) WHERE id = $1`, [
          current.id,
          String(total),
        ]);
      }
      if (silent >= threshold) return { applied: null, incident: { alarmId: current.id, silent, total } };
      return { applied: await clear(db, current, silent, total, now()), incident: null };
    },
    { opening: () => `SELECT pg_advisory_xact_lock(hashtext('trygg:device:${SYSTEM_DEVICE_ID}'))` },
  );
}

async function join(db: PoolClient, alarmId: string, overdue: { deviceId: string; lastSeenAt: Date }[]): Promise<void> {
  if (overdue.length === 0) return;
  // `last_seen_at` read here, not passed through JavaScript (whose dates lose PostgreSQL's microseconds).
  await db.query(
    `INSERT INTO supervision_incident_devices (alarm_id, device_id, last_seen_at)
     SELECT $1, d.id, d.last_seen_at FROM devices d WHERE d.id = ANY($2::text[]) AND d.last_seen_at IS NOT NULL
     ON CONFLICT (alarm_id, device_id) DO UPDATE SET back_at = NULL, last_seen_at = EXCLUDED.last_seen_at`,
    [alarmId, overdue.map((o) => o.deviceId)],
  );
}

async function open(db: PoolClient, overdue: { deviceId: string; lastSeenAt: Date }[], now: Date): Promise<IncidentRound> {
  await db.query(
    `INSERT INTO devices (id, kind, serial, protocol, status) VALUES ($1, 'system', $1, 'mqtt', 'returned') ON CONFLICT (id) DO NOTHING`,
    [SYSTEM_DEVICE_ID],
  );
  const ids = overdue.map((o) => o.deviceId);
  const { rows: sites } = await db.query<{ name: string }>(
    `WITH RECURSIVE placed AS (
       SELECT coalesce(d.site_id, r.site_id) AS site_id FROM devices d LEFT JOIN residents r ON r.id = d.resident_id
        WHERE d.id = ANY($1::text[])),
     up AS (
       SELECT s.id, s.parent_id, s.name FROM sites s WHERE s.id IN (SELECT site_id FROM placed)
       UNION
       SELECT p.id, p.parent_id, p.name FROM sites p JOIN up ON up.parent_id = p.id)
     SELECT DISTINCT name FROM up WHERE parent_id IS NULL ORDER BY name`,
    [ids],
  );
  const { rows: techs } = await db.query<{ id: string; display_name: string }>(
    `SELECT id, display_name FROM users WHERE 'technician' = ANY (roles) ORDER BY display_name`,
  );
  const roster: Roster = {
    relatives: [],
    'floor-staff': [],
    'site-staff': [],
    'response-centre': [{ id: 'response-centre', name: 'Responssenteret', kind: 'response-centre', userId: null }],
    technicians: techs.map((t) => ({ id: t.id, name: t.display_name, kind: 'technician' as const, userId: t.id })),
  };
  const siteNames = sites.map((r) => r.name);
  const ctx: OpenContext = {
    newAlarmId: randomUUID(),
    subject: {
      deviceId: SYSTEM_DEVICE_ID,
      residentId: null,
      residentName: null,
      siteId: null,
      // Which sites, in the words the queue shows (the count is in `location`, as data: "20").
      siteName: siteNames.length > 6 ? `${siteNames.slice(0, 6).join(', ')} …` : siteNames.join(', '),
      address: null,
      room: null,
      location: String(ids.length),
    },
    roster,
    chain: INCIDENT_CHAIN,
  };
  const lastSeen = overdue.reduce((a, o) => (o.lastSeenAt > a ? o.lastSeenAt : a), overdue[0]?.lastSeenAt ?? now);
  const result = step(
    null,
    { kind: 'supervision', deviceId: SYSTEM_DEVICE_ID, state: 'offline', lastSeenAt: lastSeen.toISOString(), open: ctx },
    now,
  );
  const entries = await persist(db, result, now);
  await join(db, ctx.newAlarmId, overdue);
  return { applied: { result, entries }, incident: { alarmId: ctx.newAlarmId, silent: ids.length, total: ids.length } };
}

async function clear(db: PoolClient, current: Alarm, silent: number, total: number, now: Date): Promise<Applied> {
  const result = step(
    current,
    { kind: 'supervision', deviceId: SYSTEM_DEVICE_ID, state: 'online', lastSeenAt: now.toISOString(), open: null },
    now,
  );
  if (result.alarm?.resolution) {
    result.alarm.resolution.note =
      silent === 0
        ? `All ${total} devices are back.`
        : `${total - silent} of ${total} devices are back; the ${silent} still silent are supervised one by one.`;
  }
  return { result, entries: await persist(db, result, now) };
}
