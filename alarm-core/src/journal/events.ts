/**
 * The handling log: which timeline entries become Composition events, with which
 * vkp-composition-event code. The codes are read by their definitions in the national code
 * system, not their short names:
 *
 * | timeline kind                   | code | definition in vkp-composition-event                          |
 * |---------------------------------|------|--------------------------------------------------------------|
 * | opened                          | 0    | meldt: "Hendelsen ble registrert"                            |
 * | notified                        | 4    | til utrykning: "Ansvar … ble overført til utrykningsenhet"   |
 * | claimed via claim (operator)    | 1    | behandles: "Behandling påbegynt" (the centre took it)        |
 * | claimed via accept ("Jeg drar") | 5    | ok utrykning: "Utrykningsenhet aksepterte ansvar"            |
 * | declined                        | 9    | aksjon: "… + eventuell informasjon om avvisninger"           |
 * | arrived                         | 9    | aksjon: "Utrykning …" (the responder is with the person)     |
 * | dispatched (operator)           | 4    | til utrykning: responsibility passed to home-care's team     |
 * | resolved, cleared, cancelled    | 3    | kvittert: "Hendelsen ble kvittert ut" (signed off, closed)   |
 * | resolution cause / action       | 6, 7 | årsak, tiltak (added at the closing step when given)         |
 * | each other person involved      | 10   | annen aktør: "Andre involverte … enn den som avsluttet"      |
 *
 * Not journaled, because they are escalation mechanics rather than handling: event-joined,
 * skipped, waiting, escalated (the `notified` that follows says who was asked next), exhausted,
 * withdrawn, realerted, follow-up-due, cancel-ignored. `8` samtale is not used: Trygg keeps no
 * record of conversations; a phone call shows as the action (`7`).
 */
import type { Alarm, TimelineEntry } from '../contracts/alarm.js';
import { EVENT } from './codes.js';
import type { Coding, Reference } from './fhir-types.js';
import { actionLabel, causeLabel, deviceDisplay, roleLabel, TYPE_LABEL } from './labels.js';
import type { Participant } from './participants.js';
import { personReference, sameReference } from './references.js';

/** One step of the handling log. */
export interface Step {
  code: Coding;
  at: string;
  /** What happened, in Norwegian. */
  text: string;
  /** The person the step is about, if any. */
  person: Reference | null;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** The steps one timeline entry contributes (none for escalation mechanics). */
function stepsOf(alarm: Alarm, e: TimelineEntry): Step[] {
  const person = e.actor ? personReference(alarm, e.actor) : null;
  const who = e.actor ? `${e.actor.name} (${roleLabel(e.actor.role)})` : 'Systemet';
  const step = (code: Coding, text: string): Step => ({ code, at: e.at, text, person });
  switch (e.kind) {
    case 'opened': {
      const location = typeof e.data.location === 'string' ? `, ${e.data.location}` : '';
      return [
        step(EVENT.reported, `${TYPE_LABEL[alarm.type]} fra ${deviceDisplay(alarm.type, alarm.subject.deviceId)}${location}`),
      ];
    }
    case 'notified': {
      const informed = strings(e.data.informed);
      const text = `Varslet: ${strings(e.data.to).join(', ') || 'ingen'}${informed.length ? `. Informert: ${informed.join(', ')}` : ''}`;
      return [step(EVENT.dispatched, text)];
    }
    case 'claimed':
      return e.data.via === 'claim'
        ? [step(EVENT.inProgress, `${who} tok alarmen for responssenteret`)]
        : [step(EVENT.responderAccepted, `${who} tok alarmen («Jeg drar»)`)];
    case 'declined':
      return [step(EVENT.action, `${who} kunne ikke ta alarmen`)];
    case 'arrived':
      return [step(EVENT.action, `${who} er hos brukeren`)];
    case 'dispatched': {
      const to = typeof e.data.to === 'string' ? e.data.to : 'utrykningsenhet';
      return [step(EVENT.dispatched, `${who} sendte ${to} til utrykning`)];
    }
    case 'resolved':
      return [step(EVENT.signedOff, `Avsluttet av ${who}`), ...resolutionSteps(alarm, e.at, person)];
    case 'cleared':
      return [
        step(EVENT.signedOff, 'Enheten har kontakt igjen; alarmen ble avsluttet automatisk'),
        ...resolutionSteps(alarm, e.at, null),
      ];
    case 'cancelled':
      return [step(EVENT.signedOff, 'Avbrutt på enheten før noen tok alarmen')];
    case 'event-joined':
    case 'skipped':
    case 'unreachable':
    case 'waiting':
    case 'escalated':
    case 'exhausted':
    case 'withdrawn':
    case 'realerted':
    case 'follow-up-due':
    case 'cancel-ignored':
      return [];
  }
}

/** Cause (6) and action (7) of the resolution, when the person closing it gave them. */
function resolutionSteps(alarm: Alarm, at: string, person: Reference | null): Step[] {
  const r = alarm.resolution;
  const steps: Step[] = [];
  if (r?.cause) steps.push({ code: EVENT.cause, at, text: causeLabel(r.cause), person });
  if (r?.action) steps.push({ code: EVENT.measure, at, text: actionLabel(r.action), person });
  return steps;
}

/**
 * The handling log of a closed alarm, in time order. A timeline that lacks the opening or the
 * closing entry (a partial export) still gives a log that starts with `meldt` and, for a closed
 * alarm, ends signed off.
 */
export function handlingSteps(alarm: Alarm, timeline: readonly TimelineEntry[], people: readonly Participant[]): Step[] {
  const steps = timeline.flatMap((e) => stepsOf(alarm, e));
  if (!steps.some((s) => s.code === EVENT.reported)) {
    steps.unshift({ code: EVENT.reported, at: alarm.openedAt, text: TYPE_LABEL[alarm.type], person: null });
  }
  if (alarm.closedAt && !steps.some((s) => s.code === EVENT.signedOff)) {
    steps.push({ code: EVENT.signedOff, at: alarm.closedAt, text: 'Avsluttet', person: null });
  }
  const closer = closedBy(timeline, alarm);
  for (const p of people) {
    if (closer && sameReference(closer, p.reference)) continue;
    steps.push({ code: EVENT.otherActor, at: p.since, text: p.label, person: p.reference });
  }
  // Stable sort: steps of one moment keep their order (signed off, then cause, then action).
  return steps.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

/** The person who closed the alarm; null when the device or the system did. */
export function closedBy(timeline: readonly TimelineEntry[], alarm: Alarm): Reference | null {
  const actor = timeline.find((e) => e.kind === 'resolved')?.actor;
  return actor ? personReference(alarm, actor) : null;
}
