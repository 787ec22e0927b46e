/**
 * The people who handled an alarm: the one who took it, everyone alerted who answered (yes or
 * no), and anyone else who acted on it (an operator who closed it after a follow-up). Each once,
 * however often they appear in the timeline.
 */
import type { Alarm, TimelineEntry } from '../contracts/alarm.js';
import type { Reference } from './fhir-types.js';
import { roleLabel } from './labels.js';
import { personReference, sameReference } from './references.js';

export interface Participant {
  reference: Reference;
  /** "Ola (pårørende)". */
  label: string;
  /** The one who took the alarm (claim or "I'm going"). */
  primary: boolean;
  /** What became of their part, in Norwegian, for the note. */
  outcome: string;
  /** When they first answered or acted. */
  since: string;
}

/** Everyone who handled the alarm, the one who took it first, then in order of involvement. */
export function participants(alarm: Alarm, timeline: readonly TimelineEntry[]): Participant[] {
  const people: Participant[] = [];
  const add = (p: Participant): void => {
    const known = people.find((x) => sameReference(x.reference, p.reference));
    if (!known) people.push(p);
    else if (p.since < known.since) known.since = p.since;
  };

  if (alarm.claimedBy) {
    const claimedAt = timeline.find((e) => e.kind === 'claimed')?.at ?? alarm.updatedAt;
    const who = alarm.claimedBy;
    add({
      reference: personReference(alarm, who),
      label: `${who.name} (${roleLabel(who.role)})`,
      primary: true,
      outcome: 'tok alarmen',
      since: claimedAt,
    });
  }
  for (const a of alarm.escalation.alerts) {
    // The response centre is alerted as a group; the operator who claimed it is the person.
    if (a.recipient.kind === 'response-centre') continue;
    if (a.state !== 'accepted' && a.state !== 'declined') continue;
    add({
      reference: personReference(alarm, a.recipient),
      label: `${a.recipient.name} (${roleLabel(a.recipient.kind)})`,
      primary: false,
      outcome: a.state === 'accepted' ? 'tok alarmen' : 'kunne ikke',
      since: a.changedAt,
    });
  }
  for (const e of timeline) {
    if (!e.actor) continue;
    add({
      reference: personReference(alarm, e.actor),
      label: `${e.actor.name} (${roleLabel(e.actor.role)})`,
      primary: false,
      outcome: e.kind === 'resolved' ? 'avsluttet alarmen' : 'deltok',
      since: e.at,
    });
  }
  return people;
}
