/**
 * Alerts whose time ran out. When a step ends because nobody answered in time, the alerts still
 * pending at it become `expired`: they no longer count as "waiting for an answer" at the running
 * step (so a decline by the next person of a one-by-one step moves the chain on at once), and the
 * operator sees who did not answer. An expired person may still accept (a late accept wins) or
 * decline. The response centre's alert never expires while the alarm is open: the queue keeps
 * it, and it is re-alerted until an operator claims.
 */
import type { Draft } from './draft.js';

/** Marks the alerts still pending at step `step` expired; the names of those it marked. */
export function expireStep(d: Draft, step: number): string[] {
  const names: string[] = [];
  for (const a of d.esc.alerts) {
    if (a.step !== step || a.state !== 'pending' || a.recipient.kind === 'response-centre') continue;
    a.state = 'expired';
    a.changedAt = d.at;
    names.push(a.recipient.name);
  }
  return names;
}
