/**
 * The night staff's phone app: the floors they work on with each room's state, the open alarms
 * of their institution (their own floor first), and who else is on shift (colleagues of the
 * institution with a shift now, or with no shifts planned; whether they have the app open now,
 * and what they are busy with).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { API, type Alarm, type Pool } from '@trygg/alarm-core';
import { serve } from './serve.js';

export interface StaffRouteDeps {
  pool: Pool;
  online: (userIds: readonly string[]) => Promise<Set<string>>;
}

const staff: FastifyPluginAsyncTypebox<StaffRouteDeps> = async (app, { pool, online }) => {
  serve(app, API.staffOverview, { action: 'staff:overview', audit: { entity: 'alarm', subtype: 'search' } }, async (req) => {
    const userId = req.principal?.userId ?? '';
    // The institution above the sites this person works at (a floor, or the institution itself).
    const inst = await pool.query<{ id: string; name: string }>(
      `SELECT DISTINCT up.id, up.name FROM staff_sites ss CROSS JOIN LATERAL trygg_site_ancestors(ss.site_id) up
        WHERE ss.user_id = $1 AND up.kind = 'institution' ORDER BY up.name LIMIT 1`,
      [userId],
    );
    const institution = inst.rows[0] ?? null;
    if (!institution) return { institution: null, floors: [], rooms: [], alarms: [], colleagues: [] };
    const tree = await pool.query<{ id: string; kind: string; name: string; parent_id: string | null; mine: boolean }>(
      `SELECT d.id, d.kind, d.name, d.parent_id,
              EXISTS (SELECT 1 FROM staff_sites ss WHERE ss.user_id = $2 AND ss.site_id IN (d.id, $1)) AS mine
         FROM trygg_site_subtree($1) d ORDER BY d.name`,
      [institution.id, userId],
    );
    const floors = tree.rows.filter((s) => s.kind === 'floor').map((f) => ({ id: f.id, name: f.name, mine: f.mine }));
    const siteIds = tree.rows.map((s) => s.id);
    const rooms = await pool.query<{
      id: string;
      name: string;
      floorId: string;
      residentName: string | null;
      alarmId: string | null;
    }>(
      `SELECT s.id, s.name, s.parent_id AS "floorId",
                (SELECT r.name FROM residents r WHERE r.site_id = s.id ORDER BY r.name LIMIT 1) AS "residentName",
                (SELECT a.id::text FROM alarms a JOIN devices d ON d.id = a.device_id
                   LEFT JOIN residents dr ON dr.id = d.resident_id
                  WHERE coalesce(d.site_id, dr.site_id) = s.id AND a.state IN ('open', 'claimed', 'arrived')
                  ORDER BY a.priority DESC LIMIT 1) AS "alarmId"
           FROM sites s WHERE s.kind = 'room' AND s.id = ANY($1) ORDER BY s.name`,
      [siteIds],
    );
    const alarms = await pool.query<{ doc: Alarm; resident_id: string | null }>(
      `SELECT doc, resident_id FROM alarms WHERE site_id = ANY($1) AND state IN ('open', 'claimed', 'arrived')
          ORDER BY priority DESC, opened_at`,
      [siteIds],
    );
    const people = await pool.query<{ userId: string; name: string; floors: string[] }>(
      `SELECT u.id AS "userId", u.display_name AS name, array_agg(s.name ORDER BY s.name) AS floors
           FROM users u JOIN staff_sites ss ON ss.user_id = u.id JOIN sites s ON s.id = ss.site_id
          WHERE ss.site_id = ANY($1) AND 'staff' = ANY(u.roles)
            -- On shift now; staff with no shifts planned at all count as always on duty (as in escalation).
            AND (NOT EXISTS (SELECT 1 FROM staff_shifts sh WHERE sh.user_id = u.id)
                 OR EXISTS (SELECT 1 FROM staff_shifts sh WHERE sh.user_id = u.id AND now() >= sh.starts_at AND now() < sh.ends_at))
          GROUP BY u.id ORDER BY u.display_name`,
      [siteIds],
    );
    const here = await online(people.rows.map((p) => p.userId));
    const busy = new Map<string, string>();
    for (const { doc } of alarms.rows)
      if (doc.claimedBy) busy.set(doc.claimedBy.userId, doc.subject.room ?? doc.subject.residentName ?? doc.id);
    req.audit.entity(institution.id);
    req.audit.patients(alarms.rows.flatMap((r) => (r.resident_id ? [r.resident_id] : [])));
    return {
      institution,
      floors,
      rooms: rooms.rows,
      alarms: alarms.rows.map((r) => r.doc),
      colleagues: people.rows
        .filter((p) => p.userId !== userId)
        .map((p) => ({ ...p, online: here.has(p.userId), busyWith: busy.get(p.userId) ?? null })),
    };
  });
};
export default staff;
