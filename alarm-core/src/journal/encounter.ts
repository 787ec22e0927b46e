/**
 * The handling of an alarm as a virtual Encounter, shaped after vkp-digital-Encounter: class VR,
 * reason "hendelsesbasert tilsyn", the people who answered as participants, the device in VKP's
 * encounterDevice extension (R4 Encounter.participant cannot name a Device).
 */
import type { Alarm } from '../contracts/alarm.js';
import { CODE, ENCOUNTER_DEVICE_EXTENSION } from './codes.js';
import type { Encounter, Extension, Identifier, Reference } from './fhir-types.js';
import { DEVICE_LABEL, deviceDisplay } from './labels.js';
import type { Participant } from './participants.js';

/** The Encounter of a closed (or cancelled) alarm. */
export function alarmEncounter(args: {
  alarm: Alarm;
  identifier: Identifier;
  subject: Reference;
  people: readonly Participant[];
  /** Where in the home the device said it was, from the opening event. */
  deviceLocation: string | null;
}): Encounter {
  const { alarm } = args;
  const place = [alarm.subject.address, alarm.subject.room].filter((x): x is string => Boolean(x)).join(', ');
  return {
    resourceType: 'Encounter',
    extension: [deviceExtension(alarm, args.deviceLocation)],
    identifier: [args.identifier],
    // R4 "cancelled": the encounter ended before it began, which is a cancel before anyone took it.
    status: alarm.state === 'cancelled' ? 'cancelled' : alarm.closedAt ? 'finished' : 'in-progress',
    class: CODE.virtual,
    subject: args.subject,
    ...(args.people.length
      ? {
          participant: args.people.map((p) => ({
            type: [{ coding: [p.primary ? CODE.primaryPerformer : CODE.participation], text: p.outcome }],
            period: { start: p.since },
            individual: p.reference,
          })),
        }
      : {}),
    period: { start: alarm.openedAt, ...(alarm.closedAt ? { end: alarm.closedAt } : {}) },
    reasonCode: [{ coding: [CODE.eventBasedSupervision] }],
    ...(place ? { location: [{ location: { display: place } }] } : {}),
  };
}

/** vkp-encounterDevice: identifier, displayName and type are required, location optional. */
function deviceExtension(alarm: Alarm, deviceLocation: string | null): Extension {
  const location = alarm.subject.room ?? deviceLocation;
  return {
    url: ENCOUNTER_DEVICE_EXTENSION,
    extension: [
      { url: 'identifier', valueString: alarm.subject.deviceId },
      { url: 'displayName', valueString: deviceDisplay(alarm.type, alarm.subject.deviceId) },
      { url: 'type', valueString: DEVICE_LABEL[alarm.type] },
      ...(location ? [{ url: 'location', valueString: location }] : []),
    ],
  };
}
