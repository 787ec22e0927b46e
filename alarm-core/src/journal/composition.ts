/**
 * The journal note of an alarm as a Composition (vkp-Composition): LOINC episode summary in the
 * category "Trygghet og mestring", one event per handling step, one section with the narrative
 * and a reference to the alert.
 */
import type { Alarm } from '../contracts/alarm.js';
import { CODE, PROFILE } from './codes.js';
import type { Step } from './events.js';
import type { Composition, Identifier, Narrative, Reference } from './fhir-types.js';

/** The Composition of a closed alarm; `author` is whoever closed it (a person, else the device). */
export function alarmComposition(args: {
  alarm: Alarm;
  identifier: Identifier;
  subject: Reference;
  encounter: Reference;
  issue: Reference;
  author: Reference;
  title: string;
  steps: readonly Step[];
  note: Narrative;
}): Composition {
  const { alarm, issue } = args;
  return {
    resourceType: 'Composition',
    meta: { profile: [PROFILE.composition] },
    identifier: args.identifier,
    // Final also when cancelled: the record of a cancelled alarm is complete as it stands.
    status: 'final',
    type: { coding: [CODE.episodeSummary] },
    category: [{ coding: [CODE.trygghetOgMestring] }],
    subject: args.subject,
    encounter: args.encounter,
    date: alarm.closedAt ?? alarm.updatedAt,
    author: [args.author],
    title: args.title,
    event: args.steps.map((s) => ({
      code: [{ coding: [s.code], text: s.text }],
      period: { start: s.at },
      detail: s.person ? [issue, s.person] : [issue],
    })),
    section: [{ title: 'Beskrivelse av oppfølging', code: { coding: [CODE.followUpSection] }, text: args.note, entry: [issue] }],
  };
}
