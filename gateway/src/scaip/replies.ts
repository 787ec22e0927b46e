/**
 * What `<mrs>` an alarm gets (SS 91100 §6 and the hold flow). `snu=0` means Trygg has taken
 * responsibility and is only ever sent after the event is committed. While a care alarm waits
 * for a person to accept, the unit is told to hold (`snu=4`) and polls with the same request;
 * once someone has accepted (or the alarm was closed), or the site's hold time is over, the
 * answer is `snu=0` with the site's voice mode (`mre`) and callback window (`cre`). The hold
 * time defaults to 120 s, below the 3 minutes a unit must keep polling, so a unit never gives up
 * on Trygg before it gets `snu=0`; the escalation goes on either way.
 */
import type { ScaipSiteSettings } from '@trygg/devices';
import { SNU, type Mrs } from './mrs.js';

/**
 * How far the alarm an event opened or joined has come: `pending` (not applied yet), `open`
 * (nobody has accepted), `taken` (accepted, arrived or closed), `none` (the event touched no alarm).
 */
export type AlarmProgress = 'pending' | 'open' | 'taken' | 'none';

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
