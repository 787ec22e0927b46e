/**
 * The few rules the browser must apply exactly as the engine does: which states are open, and
 * whom an audience means. Plain code with type-only imports, so the web app can import it
 * (`@trygg/alarm-core/rules`) without bundling the schema library or anything server-side.
 */
import type { AlarmState } from './alarm.js';
import type { Audience, Recipient, Roster } from './escalation.js';

/** States in which an alarm is still in the queue. */
export const OPEN_STATES: readonly AlarmState[] = ['open', 'claimed', 'arrived'];

/** Everyone the audiences name, in roster order, each once. */
export function members(roster: Roster, audiences: readonly Audience[]): Recipient[] {
  const seen = new Set<string>();
  const out: Recipient[] = [];
  for (const a of audiences) {
    for (const r of roster[a]) {
      if (!seen.has(r.id)) {
        seen.add(r.id);
        out.push(r);
      }
    }
  }
  return out;
}
