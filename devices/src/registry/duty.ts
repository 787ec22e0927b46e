/**
 * Who is on duty on each floor now, by the directory's own rule (directory.ts): someone with a
 * shift on the floor covering now, or someone who works there (staff_sites) and has no shifts
 * at all. Only floors that watch something (an installed or active device in the floor or its
 * rooms) are listed: an empty floor needs nobody.
 */
import type { Queryable } from '@trygg/alarm-core';

export interface FloorDuty {
  siteId: string;
  /** "Solbakken sykehjem, 1. etasje". */
  name: string;
  onDuty: number;
}

export async function floorsOnDuty(db: Queryable, now: Date = new Date()): Promise<FloorDuty[]> {
  const { rows } = await db.query<{ id: string; name: string; top: string | null; on_duty: number }>(
    `SELECT f.id, f.name,
            (SELECT a.name FROM trygg_site_ancestors(f.id) a WHERE a.parent_id IS NULL) AS top,
            (SELECT count(DISTINCT x.user_id)::int FROM (
               SELECT ss.user_id FROM staff_sites ss
                WHERE ss.site_id = f.id AND NOT EXISTS (SELECT 1 FROM staff_shifts sh WHERE sh.user_id = ss.user_id)
               UNION
               SELECT sh.user_id FROM staff_shifts sh WHERE sh.site_id = f.id AND sh.starts_at <= $1 AND sh.ends_at > $1) x) AS on_duty
       FROM sites f
      WHERE f.kind = 'floor'
        AND EXISTS (SELECT 1 FROM devices d LEFT JOIN residents r ON r.id = d.resident_id
                     WHERE d.status IN ('installed', 'active')
                       AND coalesce(d.site_id, r.site_id) IN (SELECT t.id FROM trygg_site_subtree(f.id) t))
      ORDER BY top, f.name`,
    [now],
  );
  return rows.map((r) => ({ siteId: r.id, name: r.top ? `${r.top}, ${r.name}` : r.name, onDuty: r.on_duty }));
}
