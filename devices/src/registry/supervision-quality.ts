/**
 * Supervision quality per device (docs/supervision.md): over the last 24 hours and 30 days, the
 * share of heartbeat slots (one heartbeat interval each, counted from the window's start or from
 * when the device was first heard from) in which the device was heard, and its longest silence.
 *
 * Heartbeats are events: every device message lands in `device_events` (the inbox) and updates
 * `last_seen_at`, which is what supervision judges, so the figures are read there — a plain table
 * on PostgreSQL and on TimescaleDB alike; `date_bin` (PostgreSQL 14+, under TimescaleDB too) cuts
 * the slots. Only whole slots count, so a slot still running is never held against a device.
 */
import type { FlakyList, Queryable, QualityWindow, SupervisionQuality } from '@trygg/alarm-core';

interface Row {
  id: string;
  kind: string;
  serial: string;
  resident_id: string | null;
  resident_name: string | null;
  hb: number;
  last_seen_at: Date | null;
  name: 'day' | 'month' | null;
  expected: number | null;
  heard: string | null;
  longest_s: number | null;
}

const QUALITY = `
  WITH dev AS (
    SELECT d.id, d.kind, d.serial, d.resident_id, r.name AS resident_name, d.heartbeat_interval_s AS hb, d.last_seen_at,
           make_interval(secs => d.heartbeat_interval_s) AS slot,
           (SELECT min(received_at) FROM device_events e WHERE e.device_id = d.id) AS first_seen
      FROM devices d LEFT JOIN residents r ON r.id = d.resident_id
     WHERE d.kind <> 'system' AND ($1::text[] IS NULL OR d.id = ANY($1::text[]))
       AND ($1::text[] IS NOT NULL OR d.status = 'active')),
  win AS (
    SELECT dev.id, dev.hb, dev.slot, w.name, GREATEST(now() - w.len, dev.first_seen) AS start
      FROM dev CROSS JOIN (VALUES ('day', interval '24 hours'), ('month', interval '30 days')) AS w(name, len)
     WHERE dev.first_seen IS NOT NULL),
  span AS (SELECT win.*, floor(extract(epoch FROM now() - win.start) / win.hb)::int AS expected FROM win),
  ev AS (
    SELECT span.id, span.name, e.received_at,
           lag(e.received_at) OVER (PARTITION BY span.id, span.name ORDER BY e.received_at) AS prev,
           date_bin(span.slot, e.received_at, span.start) < span.start + span.expected * span.slot AS whole
      FROM span JOIN device_events e ON e.device_id = span.id AND e.received_at >= span.start),
  agg AS (
    SELECT ev.id, ev.name,
           count(DISTINCT date_bin(span.slot, ev.received_at, span.start)) FILTER (WHERE ev.whole) AS heard,
           max(ev.received_at - ev.prev) AS gap, min(ev.received_at) AS first, max(ev.received_at) AS last
      FROM ev JOIN span USING (id, name) GROUP BY ev.id, ev.name)
  SELECT dev.id, dev.kind, dev.serial, dev.resident_id, dev.resident_name, dev.hb, dev.last_seen_at, span.name, span.expected,
         coalesce(agg.heard, 0) AS heard,
         extract(epoch FROM GREATEST(agg.gap, now() - coalesce(agg.last, span.start), agg.first - span.start))::int AS longest_s
    FROM dev LEFT JOIN span ON span.id = dev.id LEFT JOIN agg ON agg.id = span.id AND agg.name = span.name
   ORDER BY dev.id, span.name`;

const NONE: QualityWindow = { expected: 0, heard: 0, share: null, longestSilenceS: null };

function windowOf(r: Row): QualityWindow {
  const expected = r.expected ?? 0;
  const heard = Math.min(Number(r.heard ?? 0), expected);
  return { expected, heard, share: expected > 0 ? heard / expected : null, longestSilenceS: r.longest_s };
}

function collect(rows: readonly Row[]): SupervisionQuality[] {
  const byId = new Map<string, SupervisionQuality>();
  for (const r of rows) {
    let q = byId.get(r.id);
    if (!q) {
      q = {
        deviceId: r.id,
        kind: r.kind,
        serial: r.serial,
        residentId: r.resident_id,
        residentName: r.resident_name,
        heartbeatIntervalS: r.hb,
        lastSeenAt: r.last_seen_at?.toISOString() ?? null,
        day: NONE,
        month: NONE,
      };
      byId.set(r.id, q);
    }
    if (r.name) q[r.name] = windowOf(r);
  }
  return [...byId.values()];
}

/** One device's figures; null for an unknown device. */
export async function deviceSupervisionQuality(db: Queryable, deviceId: string): Promise<SupervisionQuality | null> {
  const { rows } = await db.query<Row>(QUALITY, [[deviceId]]);
  return collect(rows)[0] ?? null;
}

/**
 * The active devices heard in fewer than `below` of their slots in either window, worst first
 * ("flaky before it fails"). Devices never heard from are the registry's `never-heard`, not here.
 */
export async function flakyDevices(db: Queryable, below: number): Promise<FlakyList> {
  const { rows } = await db.query<Row>(QUALITY, [null]);
  const worst = (q: SupervisionQuality) => Math.min(q.day.share ?? 1, q.month.share ?? 1);
  const devices = collect(rows)
    .filter((q) => worst(q) < below)
    .sort((a, b) => worst(a) - worst(b) || a.deviceId.localeCompare(b.deviceId));
  return { threshold: below, devices };
}
