/**
 * Heartbeat supervision: a device silent for more than twice its heartbeat interval plus a grace
 * period raises a technical "offline" alarm; when it is heard from again the alarm clears
 * itself. Devices never heard from are not supervised (nothing to compare with yet).
 */
import type { Queryable } from '../db/pool.js';

export interface SupervisionFinding {
  deviceId: string;
  state: 'offline' | 'online';
  lastSeenAt: Date;
}

export async function findSupervisionChanges(db: Queryable, graceS: number): Promise<SupervisionFinding[]> {
  const { rows } = await db.query<{ device_id: string; state: 'offline' | 'online'; last_seen_at: Date }>(
    `SELECT d.id AS device_id, 'offline' AS state, d.last_seen_at
       FROM devices d
      WHERE d.status = 'active' AND d.last_seen_at IS NOT NULL
        AND d.last_seen_at < now() - (2 * d.heartbeat_interval_s + $1) * interval '1 second'
        AND NOT EXISTS (SELECT 1 FROM alarms a WHERE a.device_id = d.id AND a.type = 'technical.offline'
                          AND a.state IN ('open', 'claimed', 'arrived'))
     UNION ALL
     SELECT a.device_id, 'online', d.last_seen_at
       FROM alarms a JOIN devices d ON d.id = a.device_id
      WHERE a.type = 'technical.offline' AND a.state IN ('open', 'claimed', 'arrived') AND d.last_seen_at > a.opened_at
      LIMIT 1000`,
    [graceS],
  );
  return rows.map((r) => ({ deviceId: r.device_id, state: r.state, lastSeenAt: r.last_seen_at }));
}
