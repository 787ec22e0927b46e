/**
 * Every code system, identifier system, profile and code the journal mapping uses, in one place.
 * The VKP canonical URLs are copied from the CodeSystem resources in
 * reference/fhir/vkp-r4 (their `url`), and map.test.ts checks every VKP code used here
 * exists there, so a typo cannot reach a receiver.
 */
import type { Coding } from './fhir-types.js';

/** Code systems. */
export const CS = {
  alertCode: 'http://ehelse.no/fhir/CodeSystem/vkp-alert-code-v090',
  compositionEvent: 'http://ehelse.no/fhir/CodeSystem/vkp-composition-event-v090',
  compositionCategory: 'http://ehelse.no/fhir/CodeSystem/vkp-composition-category-v090',
  compositionSection: 'http://ehelse.no/fhir/CodeSystem/vkp-composition-section-v090',
  encounterReason: 'http://ehelse.no/fhir/CodeSystem/vkp-encounter-reason-v090',
  medicationDispenseEvents: 'http://ehelse.no/fhir/CodeSystem/vkp-medicationdispense-events-v090',
  /** VKP's digital-Encounter profile fixes `class` to v3-ActCode VR; vkp-encounter-class is the supervision mode, not the class. */
  actCode: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  participationType: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
  loinc: 'http://loinc.org',
} as const;

/** The VKP code systems, for the test that checks codes against the national files. */
export const VKP_CODE_SYSTEMS: readonly string[] = [
  CS.alertCode,
  CS.compositionEvent,
  CS.compositionCategory,
  CS.compositionSection,
  CS.encounterReason,
  CS.medicationDispenseEvents,
];

/** Identifier systems: national ones for the patient, Trygg's own URNs for everything Trygg names. */
export const ID = {
  /** Fødselsnummer. */
  nationalId: 'urn:oid:2.16.578.1.12.4.1.4.1',
  dNumber: 'urn:oid:2.16.578.1.12.4.1.4.2',
  alarm: 'urn:trygg:alarm',
  deviceEvent: 'urn:trygg:device-event',
  device: 'urn:trygg:device',
  resident: 'urn:trygg:resident',
  user: 'urn:trygg:user',
  relative: 'urn:trygg:relative',
  /** Someone alerted who has no user account (cannot happen for people who answered; kept total). */
  recipient: 'urn:trygg:recipient',
} as const;

/**
 * Profiles claimed in `meta.profile`: only where the resource conforms. vkp-Encounter and
 * vkp-MedicationDispense fix `identifier.system` to urn:ietf:rfc:3986, which would clash with the
 * urn:trygg:* identifiers the conditional create relies on, so those resources claim none.
 */
export const PROFILE = {
  detectedIssue: 'http://ehelse.no/fhir/StructureDefinition/vkp-DetectedIssue-v090',
  composition: 'http://ehelse.no/fhir/StructureDefinition/vkp-Composition-v090',
} as const;

/** VKP's complex extension naming the device an Encounter came from (Encounter.participant cannot hold a Device in R4). */
export const ENCOUNTER_DEVICE_EXTENSION = 'http://ehelse.no/fhir/StructureDefinition/vkp-encounterDevice-v090';

const c = (system: string, code: string, display: string): Coding => ({ system, code, display });

/** vkp-composition-event: the steps of handling an alarm (see events.ts for which timeline kind gives which). */
export const EVENT = {
  reported: c(CS.compositionEvent, '0', 'hendelse meldt'),
  inProgress: c(CS.compositionEvent, '1', 'hendelse behandles'),
  signedOff: c(CS.compositionEvent, '3', 'hendelse kvittert'),
  dispatched: c(CS.compositionEvent, '4', 'hendelse til utrykning'),
  responderAccepted: c(CS.compositionEvent, '5', 'hendelse ok utrykning'),
  cause: c(CS.compositionEvent, '6', 'årsak'),
  measure: c(CS.compositionEvent, '7', 'tiltak'),
  action: c(CS.compositionEvent, '9', 'aksjon'),
  otherActor: c(CS.compositionEvent, '10', 'annen aktør'),
} as const;

export const CODE = {
  /** Composition.type: LOINC "Summary of episode note". */
  episodeSummary: c(CS.loinc, '34133-9', 'Summary of episode note'),
  trygghetOgMestring: c(CS.compositionCategory, '1', 'Trygghet og mestring'),
  /** Section "Beskrivelse av oppfølging/håndtering av alarm". */
  followUpSection: c(CS.compositionSection, '1.1', 'beskrivelse av oppfølging'),
  eventBasedSupervision: c(CS.encounterReason, '2', 'hendelsesbasert tilsyn'),
  virtual: c(CS.actCode, 'VR', 'virtual'),
  primaryPerformer: c(CS.participationType, 'PPRF', 'primary performer'),
  participation: c(CS.participationType, 'PART', 'Participation'),
  dispensed: c(CS.medicationDispenseEvents, '1', 'medisin utlevert'),
} as const;
