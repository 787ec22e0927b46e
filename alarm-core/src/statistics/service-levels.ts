/**
 * Service levels per site (each institution; homes together): alarms per hour over the last
 * 24 h, time to accept and to resolve (median, 90th percentile), and the share accepted within
 * 60 s and 180 s, the industry's service levels. Care alarms only; technical alarms are the
 * technicians' queue.
 */
import type { SiteStats } from '../contracts/api/statistics.js';
import type { Queryable } from '../db/pool.js';

/** The statistics of care alarms opened in the last `days` days, busiest site first. */
export async function readServiceLevels(db: Queryable, days: number): Promise<SiteStats[]> {
  const { rows } = await db.query<Omit<SiteStats, 'perHour'> & { perHour: number[] | null }>(
    `WITH a AS (
       SELECT al.opened_at, al.closed_at, al.doc->>'state' AS state,
              CASE WHEN s.kind = 'institution' THEN s.id ELSE 'home' END AS site,
              CASE WHEN s.kind = 'institution' THEN s.name END AS name,
              (SELECT min(t.at) FROM alarm_timeline t WHERE t.alarm_id = al.id AND t.kind = 'claimed') AS claimed_at
         FROM alarms al LEFT JOIN sites s ON s.id = al.site_id
        WHERE al.opened_at > now() - $1 * interval '1 day' AND al.doc->>'class' = 'care'),
     hours AS (SELECT generate_series(date_trunc('hour', now()) - interval '23 hours', date_trunc('hour', now()), interval '1 hour') AS h),
     per_hour AS (
       SELECT site, array_agg(n ORDER BY h) AS counts FROM (
         SELECT sites.site, hours.h, count(a.opened_at)::int AS n
           FROM (SELECT DISTINCT site FROM a) sites CROSS JOIN hours
           LEFT JOIN a ON a.site = sites.site AND date_trunc('hour', a.opened_at) = hours.h
          GROUP BY sites.site, hours.h) x GROUP BY site)
     SELECT a.site, min(a.name) AS name, count(*)::int AS alarms, count(a.claimed_at)::int AS accepted,
            count(*) FILTER (WHERE a.claimed_at - a.opened_at <= interval '60 seconds')::int AS within60,
            count(*) FILTER (WHERE a.claimed_at - a.opened_at <= interval '180 seconds')::int AS within180,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM a.claimed_at - a.opened_at)) AS "acceptP50S",
            percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM a.claimed_at - a.opened_at)) AS "acceptP90S",
            percentile_cont(0.5) WITHIN GROUP (ORDER BY CASE WHEN a.state = 'resolved' THEN extract(epoch FROM a.closed_at - a.opened_at) END) AS "resolveP50S",
            percentile_cont(0.9) WITHIN GROUP (ORDER BY CASE WHEN a.state = 'resolved' THEN extract(epoch FROM a.closed_at - a.opened_at) END) AS "resolveP90S",
            min(p.counts) AS "perHour"
       FROM a LEFT JOIN per_hour p ON p.site = a.site
      GROUP BY a.site ORDER BY count(*) DESC`,
    [days],
  );
  return rows.map((r) => ({ ...r, perHour: r.perHour ?? Array.from({ length: 24 }, () => 0) }));
}
