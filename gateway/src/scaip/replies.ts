/**
 * What `<mrs>` an alarm gets (SS 91100 §6 and the hold flow). `snu=0` means Trygg has taken
 * responsibility and is only ever sent after the event is committed. While a care alarm waits
 * for a person to accept, the unit is told to hold (`snu=4`) and polls with the same request;
 * once someone has accepted (or the alarm was closed), or the site's hold time is over, the
 * answer is `snu=0` with the site's voice mode (`mre`) and callback window (`cre`). The hold
 * time defaults to 120 s, below the 3 minutes a unit must keep polling, so a unit never gives up
 * on Trygg before it gets `snu=0`; the escalation goes on either way.
 */
import type { Queryable } from '@trygg/alarm-core';
import type { ScaipSiteSettings } from '@trygg/devices';
import { SNU, type Mrs } from './mrs.js';

export type AlarmProgress = 'pending' | 'open' | 'taken' | 'none';

/**
 * How far the alarm this event opened or joined has come: `pending` (not applied yet), `open`
 * (nobody has accepted), `taken` (accepted, arrived or closed), `none` (the event touched no alarm).
 */
export async function alarmProgress(db: Queryable, deviceId: string, eventId: string): Promise<AlarmProgress> {
  const { rows } = await db.query<{ processed_at: Date | null; state: string | null }>(
    `SELECT e.processed_at, a.state
       FROM device_events e
       LEFT JOIN LATERAL (
         SELECT a.state FROM alarms a
          WHERE a.device_id = e.device_id AND a.opened_at >= e.received_at - interval '1 day'
            AND EXISTS (SELECT 1 FROM alarm_timeline t WHERE t.alarm_id = a.id AND t.kind IN ('opened', 'event-joined')
                          AND t.data->>'eventId' = e.event_id)
          ORDER BY a.opened_at DESC LIMIT 1) a ON true
      WHERE e.device_id = $1 AND e.event_id = $2`,
    [deviceId, eventId],
  );
  const r = rows[0];
  if (!r || r.processed_at === null) return 'pending';
  if (r.state === null) return 'none';
  return r.state === 'open' ? 'open' : 'taken';
}

/** The final answer to an alarm: handled, with the site's voice and callback settings. */
export function handled(ref: string, settings: ScaipSiteSettings, ver: string): Mrs {
  const mrs: Mrs = { ref, snu: SNU.ok, mre: settings.voiceMode, cve: ver < '01.00' ? ver : '01.00' };
  if (settings.callbackMinutes !== null) mrs.cre = settings.callbackMinutes;
  return mrs;
}

/** Hold (`snu=4`) or handled (`snu=0`) for a care alarm, given how far it has come. */
export function alarmReply(
  ref: string,
  ver: string,
  progress: AlarmProgress,
  settings: ScaipSiteSettings,
  heldForMs: number,
): Mrs {
  const holding = (progress === 'pending' || progress === 'open') && heldForMs < settings.holdMaxS * 1000;
  // SS 91100 hold: the unit sends the same request again after 5–20 s.
  return holding ? { ref, snu: SNU.hold, ste: 'waiting for a person to accept' } : handled(ref, settings, ver);
}
