/**
 * The human-readable note of an alarm (the Composition section's narrative): what happened,
 * where, who handled it, cause, action, the handler's own note and the log, in Norwegian.
 */
import type { Alarm } from '../contracts/alarm.js';
import type { Step } from './events.js';
import type { Narrative } from './fhir-types.js';
import { actionLabel, causeLabel, deviceDisplay, osloTime } from './labels.js';
import { generated, heading, list, paragraph } from './narrative.js';
import type { Participant } from './participants.js';

/** The narrative of one alarm; every value from people or devices is escaped. */
export function alarmNote(alarm: Alarm, title: string, steps: readonly Step[], people: readonly Participant[]): Narrative {
  const r = alarm.resolution;
  const place = [alarm.subject.address, alarm.subject.room].filter((x): x is string => Boolean(x)).join(', ');
  const parts = [
    heading(title),
    paragraph(osloTime(alarm.openedAt), 'Utløst'),
    alarm.closedAt ? paragraph(osloTime(alarm.closedAt), alarm.state === 'cancelled' ? 'Avbrutt på enheten' : 'Avsluttet') : '',
    alarm.eventCount > 1 ? paragraph(String(alarm.eventCount), 'Antall utløsninger') : '',
    place ? paragraph(place, 'Sted') : '',
    paragraph(deviceDisplay(alarm.type, alarm.subject.deviceId), 'Enhet'),
    people.length ? paragraph(people.map((p) => `${p.label}: ${p.outcome}`).join('; '), 'Håndtert av') : '',
    r?.cause ? paragraph(causeLabel(r.cause), 'Årsak') : '',
    r?.action ? paragraph(actionLabel(r.action), 'Tiltak') : '',
    r?.note ? paragraph(r.note, 'Notat') : '',
    heading('Forløp'),
    list(steps.map((s) => `${osloTime(s.at)} ${s.code.display ?? s.code.code}: ${s.text}`)),
  ];
  return generated(parts);
}
