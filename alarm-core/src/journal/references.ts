/**
 * How the journal names things it does not send: the patient, the device and the people are
 * referenced by identifier (logical references), because the receiver owns those records and
 * Trygg does not know their server ids. Also the bundle entry, which names what it does send.
 */
import { actingId } from '../contracts/acting.js';
import type { Actor, Alarm } from '../contracts/alarm.js';
import type { Recipient } from '../contracts/escalation.js';
import type { DeviceEventType } from '../contracts/vocabulary.js';
import { ID } from './codes.js';
import type { BundleEntry, Identifier, JournalResource, Reference } from './fhir-types.js';
import { deviceDisplay } from './labels.js';
import { uuidV5 } from './uuid.js';

/** Who the journal entry is about, as the registry knows them. */
export interface JournalPatient {
  /** Fødselsnummer (11 digits). */
  nationalId: string | null;
  dNumber?: string | null;
  name: string | null;
}

/** `display` only when there is something to show (FHIR strings may not be empty). */
const display = (name: string | null | undefined): { display?: string } => (name ? { display: name } : {});

/**
 * The patient by national id, else D-number, else Trygg's resident id. With none of them the
 * reference carries only the name: still valid FHIR, and the receiver's matching (or a person)
 * decides, rather than Trygg refusing to close the alarm.
 */
export function patientReference(patient: JournalPatient, residentId: string | null): Reference {
  const identifier: Identifier | null = patient.nationalId
    ? { system: ID.nationalId, value: patient.nationalId }
    : patient.dNumber
      ? { system: ID.dNumber, value: patient.dNumber }
      : residentId
        ? { system: ID.resident, value: residentId }
        : null;
  if (!identifier) return { type: 'Patient', display: patient.name ?? 'Ukjent bruker' };
  return { type: 'Patient', identifier, ...display(patient.name) };
}

/** The device that raised the event. */
export function deviceReference(deviceId: string, type: DeviceEventType): Reference {
  return { type: 'Device', identifier: { system: ID.device, value: deviceId }, display: deviceDisplay(type, deviceId) };
}

/**
 * A person who handled the alarm. Relatives are RelatedPersons named by their id in the
 * resident's list of relatives; everyone else is a Practitioner named by their user account.
 */
export function personReference(alarm: Alarm, who: Actor | Recipient): Reference {
  const recipient =
    'kind' in who
      ? who
      : alarm.escalation.alerts.find((a) => actingId(a.recipient) === who.userId && a.recipient.kind !== 'response-centre')
          ?.recipient;
  if (recipient?.kind === 'relative') {
    return { type: 'RelatedPerson', identifier: { system: ID.relative, value: recipient.id }, ...display(who.name) };
  }
  const type = 'role' in who && who.role === 'relative' ? 'RelatedPerson' : 'Practitioner';
  // A relative without an account answers by SMS as `relative/<id>` (actingId) and is found above.
  const identifier: Identifier = who.userId
    ? { system: ID.user, value: who.userId }
    : { system: ID.recipient, value: recipient?.id ?? who.name };
  return { type, identifier, ...display(who.name) };
}

/** Same person, whichever way they were named (an Actor from the timeline or a Recipient from the alerts). */
export const sameReference = (a: Reference, b: Reference): boolean =>
  a.type === b.type && a.identifier?.system === b.identifier?.system && a.identifier?.value === b.identifier?.value;

/**
 * A bundle entry created conditionally on its identifier, so a retry never makes a second
 * record; its fullUrl is a name-based UUID of that identifier, so a retry sends the same bundle.
 */
export function entry(resource: JournalResource, identifier: Identifier): BundleEntry {
  return {
    fullUrl: fullUrlOf(identifier),
    resource,
    request: { method: 'POST', url: resource.resourceType, ifNoneExist: `identifier=${identifier.system}|${identifier.value}` },
  };
}

/** The bundle-local address of the resource with this identifier. */
export const fullUrlOf = (identifier: Identifier): string => `urn:uuid:${uuidV5(`${identifier.system}|${identifier.value}`)}`;
