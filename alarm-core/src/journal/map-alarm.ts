/**
 * A closed alarm → one FHIR transaction Bundle for the patient journal: the alert
 * (DetectedIssue), its handling (Encounter) and the note with the handling log (Composition),
 * as journal-fhir.md maps them. Pure and deterministic: the same alarm always gives the same
 * bundle, so the outbox can retry freely, and conditional creates keep retries from duplicating.
 */
import type { Alarm, TimelineEntry } from '../contracts/alarm.js';
import { alarmNote } from './alarm-note.js';
import { ID } from './codes.js';
import { alarmComposition } from './composition.js';
import { detectedIssue } from './detected-issue.js';
import { alarmEncounter } from './encounter.js';
import { closedBy, handlingSteps } from './events.js';
import type { Bundle, Identifier } from './fhir-types.js';
import { TYPE_LABEL } from './labels.js';
import { participants } from './participants.js';
import { deviceReference, entry, fullUrlOf, patientReference, type JournalPatient } from './references.js';

export interface AlarmJournalInput {
  alarm: Alarm;
  /** The alarm's timeline in order (seq ascending). */
  timeline: TimelineEntry[];
  patient: JournalPatient;
}

/** The journal bundle of a closed alarm (resolved, cleared or cancelled). */
export function alarmBundle(input: AlarmJournalInput): Bundle {
  const { alarm, timeline } = input;
  const id = (suffix: string): Identifier => ({ system: ID.alarm, value: suffix ? `${alarm.id}/${suffix}` : alarm.id });
  const ids = { issue: id(''), encounter: id('encounter'), composition: id('composition') };
  const subject = patientReference(input.patient, alarm.subject.residentId);
  const device = deviceReference(alarm.subject.deviceId, alarm.type);
  const issueRef = { reference: fullUrlOf(ids.issue), type: 'DetectedIssue' };
  const people = participants(alarm, timeline);
  const steps = handlingSteps(alarm, timeline, people);
  const opened = timeline.find((e) => e.kind === 'opened');
  const deviceLocation = typeof opened?.data.location === 'string' ? opened.data.location : null;
  const group = alarm.type.startsWith('dispenser.') ? 'Medisineringsstøtte' : 'Trygghetsalarm';
  const title = `${group} – ${TYPE_LABEL[alarm.type]}${alarm.state === 'cancelled' ? ' (avbrutt)' : ''}`;
  const place = [alarm.subject.address, alarm.subject.room, deviceLocation].filter((x): x is string => Boolean(x)).join(', ');

  const issue = detectedIssue({
    identifier: ids.issue,
    type: alarm.type,
    patient: subject,
    at: alarm.openedAt,
    device,
    detail: `${title}${place ? `, ${place}` : ''}`,
  });
  const encounter = alarmEncounter({ alarm, identifier: ids.encounter, subject, people, deviceLocation });
  const composition = alarmComposition({
    alarm,
    identifier: ids.composition,
    subject,
    encounter: { reference: fullUrlOf(ids.encounter), type: 'Encounter' },
    issue: issueRef,
    author: closedBy(timeline, alarm) ?? device,
    title,
    steps,
    note: alarmNote(alarm, title, steps, people),
  });
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [entry(issue, ids.issue), entry(encounter, ids.encounter), entry(composition, ids.composition)],
  };
}
