/**
 * The resident card's reads: the resident with the nearest address up the site tree, their
 * relatives with each one's state in the alarm at hand, their devices with health, their recent
 * alarms; and the key-safe code, which the route hands out only to the operator who claimed the
 * alarm.
 */
import type { Alarm, AlarmState } from '../contracts/alarm.js';
import type { DeviceEventType } from '../contracts/vocabulary.js';
import type { DeviceHealth, ResidentCard } from '../contracts/api/resident.js';
import type { DeviceStatus } from '../contracts/registry.js';
import type { Queryable } from '../db/pool.js';

/** Below this battery level (percent) a device that is heard from is `low-battery`. */
const LOW_BATTERY = 20;

/** The same rule as heartbeat supervision: silent past twice the interval plus a minute. */
export function deviceHealth(
  d: { lastSeenAt: Date | null; heartbeatIntervalS: number; battery: number | null },
  now: number,
): DeviceHealth {
  if (!d.lastSeenAt) return 'never-seen';
  if (now - d.lastSeenAt.getTime() > (2 * d.heartbeatIntervalS + 60) * 1000) return 'silent';
  return d.battery !== null && d.battery < LOW_BATTERY ? 'low-battery' : 'ok';
}

/** The card of `alarm`'s resident; null when the resident is not (or no longer) registered. */
export async function readResidentCard(
  db: Queryable,
  alarm: Alarm,
  residentId: string,
  now = Date.now(),
): Promise<ResidentCard | null> {
  const r = await db.query<{
    id: string;
    name: string;
    notes: string | null;
    language: string;
    has_key_safe: boolean;
    address: string | null;
  }>(
    `SELECT r.id, r.name, r.notes, r.language, (r.key_safe IS NOT NULL OR r.digital_lock IS NOT NULL) AS has_key_safe,
            coalesce(r.address, (SELECT up.address FROM trygg_site_ancestors(r.site_id) up
                                  WHERE up.address IS NOT NULL ORDER BY up.depth LIMIT 1)) AS address
       FROM residents r WHERE r.id = $1`,
    [residentId],
  );
  const res = r.rows[0];
  if (!res) return null;
  const rel = await db.query<{ id: string; name: string; relation: string | null; phone: string | null }>(
    'SELECT id, name, relation, phone FROM relatives WHERE resident_id = $1 ORDER BY chain_order, name',
    [residentId],
  );
  const dev = await db.query<{
    id: string;
    kind: string;
    status: DeviceStatus;
    last_seen_at: Date | null;
    heartbeat_interval_s: number;
    battery: number | null;
    rssi: number | null;
  }>(
    `SELECT d.id, d.kind, d.status, d.last_seen_at, d.heartbeat_interval_s,
            (SELECT value FROM telemetry t WHERE t.device_id = d.id AND t.metric = 'battery' ORDER BY time DESC LIMIT 1) AS battery,
            (SELECT value FROM telemetry t WHERE t.device_id = d.id AND t.metric = 'rssi' ORDER BY time DESC LIMIT 1) AS rssi
       FROM devices d WHERE d.resident_id = $1 ORDER BY d.id`,
    [residentId],
  );
  const recent = await db.query<{
    id: string;
    type: DeviceEventType;
    state: AlarmState;
    opened_at: Date;
    closed_at: Date | null;
  }>(
    `SELECT id::text, type, doc->>'state' AS state, opened_at, closed_at FROM alarms
      WHERE resident_id = $1 AND id <> $2 ORDER BY opened_at DESC LIMIT 10`,
    [residentId, alarm.id],
  );
  return {
    resident: {
      id: res.id,
      name: res.name,
      address: res.address,
      mapUrl: res.address ? `https://www.openstreetmap.org/search?query=${encodeURIComponent(res.address)}` : null,
      notes: res.notes,
      language: res.language,
      hasKeySafe: res.has_key_safe,
    },
    relatives: rel.rows.map((x) => ({
      ...x,
      state:
        alarm.escalation.alerts.find((a) => a.recipient.kind === 'relative' && a.recipient.id === x.id)?.state ?? 'not-alerted',
    })),
    devices: dev.rows.map((d) => ({
      id: d.id,
      kind: d.kind,
      status: d.status,
      lastSeenAt: d.last_seen_at?.toISOString() ?? null,
      battery: d.battery,
      rssi: d.rssi,
      health: deviceHealth({ lastSeenAt: d.last_seen_at, heartbeatIntervalS: d.heartbeat_interval_s, battery: d.battery }, now),
    })),
    recent: recent.rows.map((a) => ({
      id: a.id,
      type: a.type,
      state: a.state,
      openedAt: a.opened_at.toISOString(),
      closedAt: a.closed_at?.toISOString() ?? null,
    })),
  };
}

/** The key safe and the digital lock, whichever the home has; null when it has neither. */
export async function readKeySafe(db: Queryable, residentId: string): Promise<string | null> {
  const { rows } = await db.query<{ key_safe: string | null }>(
    `SELECT nullif(concat_ws(' · ', key_safe, digital_lock), '') AS key_safe FROM residents WHERE id = $1`,
    [residentId],
  );
  return rows[0]?.key_safe ?? null;
}
