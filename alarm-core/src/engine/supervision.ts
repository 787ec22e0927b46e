/**
 * Heartbeat supervision: a device silent for more than twice its heartbeat interval plus a grace
 * period raises a technical "offline" alarm; when it is heard from again the alarm clears
 * itself. Devices never heard from are not supervised (nothing to compare with yet).
 *
 * Silence Trygg caused is not the device's (docs/supervision.md): while no node's ingress for the
 * device's protocol is up (`service_ingress`, marked every few seconds by the service watch) a
 * device is not judged at all, and after ingress is back it has one heartbeat interval (plus the
 * grace) from that moment before it is offline: a restart after a long outage, even after a
 * kill -9, raises no offline alarms while devices reconnect. Devices standing for an open
 * supervision incident (incident.ts) get no alarm of their own.
 */
import type { Queryable } from '../db/pool.js';

export interface SupervisionFinding {
  deviceId: string;
  state: 'offline' | 'online';
  lastSeenAt: Date;
}

/** How supervision judges silence and when many silent devices are one incident. */
export interface SupervisionSettings {
  /** Seconds of silence beyond twice the heartbeat interval before a device is offline. */
  graceS: number;
  /** A node's ingress mark older than this means the node is gone (stopped or killed). */
  ingressStaleS: number;
  /** Many devices overdue at once: at least this share of the supervised devices … */
  stormShare: number;
  /** … and at least this many … */
  stormMinDevices: number;
  /** … each gone overdue within this window (seconds). */
  stormWindowS: number;
}

export const DEFAULT_SUPERVISION: SupervisionSettings = {
  graceS: 60,
  ingressStaleS: 30,
  stormShare: 0.2,
  stormMinDevices: 10,
  stormWindowS: 300,
};

/**
 * The supervised devices with the two moments supervision compares: `seen`, when the device was
 * last heard from or ingress came back (whichever is later), and `judged`, the same with ingress's
 * return counted one heartbeat interval earlier (so the offline deadline falls one interval plus
 * the grace after ingress is back). No `service_ingress` rows at all (an engine without the
 * service watch): judged as before, by `last_seen_at`.
 */
const SUPERVISED = `
  ingress AS (
    SELECT protocol,
           bool_or(up AND alive_at > now() - $1 * interval '1 second') AS up_now,
           max(up_since) FILTER (WHERE up) AS back_at
      FROM service_ingress GROUP BY protocol),
  supervised AS (
    SELECT d.id, d.heartbeat_interval_s AS hb, d.last_seen_at,
           GREATEST(d.last_seen_at, i.back_at) AS seen,
           GREATEST(d.last_seen_at, i.back_at - d.heartbeat_interval_s * interval '1 second') AS judged
      FROM devices d LEFT JOIN ingress i ON i.protocol = d.protocol
     WHERE d.status = 'active' AND d.last_seen_at IS NOT NULL AND coalesce(i.up_now, true))`;

/** Open offline alarms, and the devices an open incident stands for. */
const QUIET = `
  offline AS (SELECT device_id FROM alarms WHERE type = 'technical.offline' AND state IN ('open', 'claimed', 'arrived')),
  in_incident AS (
    SELECT m.device_id FROM supervision_incident_devices m JOIN alarms a ON a.id = m.alarm_id
     WHERE m.back_at IS NULL AND a.state IN ('open', 'claimed', 'arrived'))`;

export async function findSupervisionChanges(db: Queryable, s: SupervisionSettings): Promise<SupervisionFinding[]> {
  const { rows } = await db.query<{ device_id: string; state: 'offline' | 'online'; last_seen_at: Date }>(
    `WITH ${SUPERVISED}, ${QUIET}
     SELECT d.id AS device_id, 'offline' AS state, d.last_seen_at
       FROM supervised d
      WHERE d.judged < now() - (2 * d.hb + $2) * interval '1 second'
        AND d.id NOT IN (SELECT device_id FROM offline) AND d.id NOT IN (SELECT device_id FROM in_incident)
     UNION ALL
     SELECT a.device_id, 'online', d.last_seen_at
       FROM alarms a JOIN devices d ON d.id = a.device_id
      WHERE a.type = 'technical.offline' AND a.state IN ('open', 'claimed', 'arrived') AND d.last_seen_at > a.opened_at
        AND a.device_id <> 'trygg-system'
      LIMIT 1000`,
    [s.ingressStaleS, s.graceS],
  );
  return rows.map((r) => ({ deviceId: r.device_id, state: r.state, lastSeenAt: r.last_seen_at }));
}

export interface Overdue {
  /** Devices supervised now (active, heard from, their ingress up). */
  supervised: number;
  /** Devices that missed a heartbeat within the storm window and have no alarm or incident yet. */
  overdue: { deviceId: string; lastSeenAt: Date }[];
}

/** Devices gone overdue (silent past one interval plus the grace) within the storm window. */
export async function findOverdue(db: Queryable, s: SupervisionSettings): Promise<Overdue> {
  const { rows } = await db.query<{ id: string | null; last_seen_at: Date | null; supervised: string }>(
    `WITH ${SUPERVISED}, ${QUIET},
     overdue AS (
       SELECT d.id, d.last_seen_at FROM supervised d
        WHERE d.seen < now() - (d.hb + $2) * interval '1 second'
          AND d.seen >= now() - (d.hb + $2 + $3) * interval '1 second'
          AND d.id NOT IN (SELECT device_id FROM offline) AND d.id NOT IN (SELECT device_id FROM in_incident))
     SELECT o.id, o.last_seen_at, (SELECT count(*) FROM supervised) AS supervised
       FROM (SELECT 1) one LEFT JOIN overdue o ON true`,
    [s.ingressStaleS, s.graceS, s.stormWindowS],
  );
  return {
    supervised: Number(rows[0]?.supervised ?? 0),
    overdue: rows.flatMap((r) => (r.id && r.last_seen_at ? [{ deviceId: r.id, lastSeenAt: r.last_seen_at }] : [])),
  };
}

/** How many devices silent at once make an incident, of `supervised` devices. */
export function stormThreshold(s: SupervisionSettings, supervised: number): number {
  return Math.max(s.stormMinDevices, Math.ceil(s.stormShare * supervised));
}
