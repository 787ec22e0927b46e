/**
 * A medication-dispenser event → a FHIR transaction Bundle: a dose handed out becomes a
 * MedicationDispense (vkp-medicationdispense-events `1` utlevert, performed by the dispenser);
 * a missed dose or a fault becomes a DetectedIssue with its alert code (1.1, 1.5). Deterministic,
 * with a conditional create on the device event's identifier, like the alarm bundle.
 */
import { CODE, ID } from './codes.js';
import { detectedIssue } from './detected-issue.js';
import type { Bundle, Identifier, MedicationDispense, Reference } from './fhir-types.js';
import { deviceReference, entry, patientReference, type JournalPatient } from './references.js';

export interface DispenserJournalInput {
  deviceId: string;
  /** The device's own event id (unique per device; a resend carries the same). */
  eventId: string;
  type: 'dispenser.dispensed' | 'dispenser.missed-dose' | 'dispenser.fault';
  /** When it happened (the device's timestamp). */
  at: string;
  patient: JournalPatient;
  residentId: string | null;
}

/** What the outbox keeps of a dispenser event; the patient is looked up when it is delivered. */
export type DispenserRecord = Omit<DispenserJournalInput, 'patient'>;

/** The journal bundle of one dispenser event. */
export function dispenserBundle(input: DispenserJournalInput): Bundle {
  const identifier: Identifier = { system: ID.deviceEvent, value: `${input.deviceId}/${input.eventId}` };
  const subject = patientReference(input.patient, input.residentId);
  const device = deviceReference(input.deviceId, input.type);
  const resource =
    input.type === 'dispenser.dispensed'
      ? dispense(identifier, subject, device, input.at)
      : detectedIssue({ identifier, type: input.type, patient: subject, at: input.at, device });
  return { resourceType: 'Bundle', type: 'transaction', entry: [entry(resource, identifier)] };
}

function dispense(identifier: Identifier, subject: Reference, device: Reference, at: string): MedicationDispense {
  return {
    resourceType: 'MedicationDispense',
    identifier: [identifier],
    status: 'completed',
    category: { coding: [CODE.dispensed] },
    // The dispenser hands out a multidose bag; which drugs are in it is the pharmacy's record, not the device's.
    medicationCodeableConcept: { text: 'Multidose' },
    subject,
    performer: [{ actor: device }],
    whenHandedOver: at,
  };
}
