/**
 * Who acts for someone alerted. A command's Actor names the account that gives it; the alert it
 * answers is found by the same key. A relative with no account (reached by SMS or a phone call,
 * never by the app) answers as `relative/<relative id>`: a key no account can have, because
 * account ids never hold a `/` (`Id` in device-event.ts), so only the channel that reached that
 * relative's own phone can act for them.
 */
import type { Recipient } from './escalation.js';

/** The Actor.userId that answers this recipient's alert; null when nobody can (the response centre as a group). */
export function actingId(r: Pick<Recipient, 'id' | 'kind' | 'userId'>): string | null {
  if (r.userId) return r.userId;
  return r.kind === 'relative' ? `relative/${r.id}` : null;
}
