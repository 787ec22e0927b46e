/**
 * alarm-core's Directory port over the registry tables: for a device, the resident or room it
 * watches, the site and the address to send people to.
 */
import type { AlarmSubject, Directory, Queryable } from '@trygg/alarm-core';

export class SqlDirectory implements Directory {
  constructor(private readonly db: Queryable) {}

  async subjectOf(deviceId: string): Promise<AlarmSubject | null> {
    const { rows } = await this.db.query<{
      resident_id: string | null;
      resident_name: string | null;
      site_id: string | null;
      site_name: string | null;
      address: string | null;
      room: string | null;
    }>(
      `WITH RECURSIVE d AS (
         SELECT dv.id, dv.resident_id, coalesce(dv.site_id, r.site_id) AS site_id, r.name AS resident_name
           FROM devices dv LEFT JOIN residents r ON r.id = dv.resident_id WHERE dv.id = $1),
       up AS (
         SELECT s.id, s.kind, s.parent_id, s.name, s.address, 0 AS depth FROM sites s JOIN d ON s.id = d.site_id
         UNION ALL
         SELECT p.id, p.kind, p.parent_id, p.name, p.address, up.depth + 1 FROM sites p JOIN up ON p.id = up.parent_id)
       SELECT d.resident_id, d.resident_name,
              (SELECT id FROM up WHERE parent_id IS NULL) AS site_id,
              (SELECT name FROM up WHERE parent_id IS NULL) AS site_name,
              (SELECT address FROM up WHERE address IS NOT NULL ORDER BY depth LIMIT 1) AS address,
              (SELECT name FROM up WHERE kind = 'room') AS room
         FROM d`,
      [deviceId],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      deviceId,
      residentId: r.resident_id,
      residentName: r.resident_name,
      siteId: r.site_id,
      siteName: r.site_name,
      address: r.address,
      room: r.room,
    };
  }
}
