/**
 * The slice of FHIR R4 the journal writes: only the resources and fields Trygg fills in. Field
 * names and cardinalities follow the R4 definitions (fhir.r4.schema.json); map.test.ts validates
 * what the mappers build against that schema, so these types cannot drift far unnoticed.
 */

export interface Coding {
  system: string;
  code: string;
  display?: string;
}

export interface CodeableConcept {
  coding?: Coding[];
  text?: string;
}

export interface Identifier {
  system: string;
  value: string;
}

/** A literal reference (`reference`, e.g. a bundle's urn:uuid) or a logical one (`identifier`). */
export interface Reference {
  reference?: string;
  type?: string;
  identifier?: Identifier;
  display?: string;
}

export interface Period {
  start?: string;
  end?: string;
}

export interface Meta {
  profile: string[];
}

/** `div` is XHTML with the XHTML namespace, written out raw in FHIR XML. */
export interface Narrative {
  status: 'generated' | 'extensions' | 'additional' | 'empty';
  div: string;
}

export interface Extension {
  url: string;
  extension?: Extension[];
  valueString?: string;
}

export interface DetectedIssue {
  resourceType: 'DetectedIssue';
  meta?: Meta;
  identifier: Identifier[];
  status: 'registered' | 'preliminary' | 'final' | 'amended' | 'cancelled' | 'entered-in-error';
  code: CodeableConcept;
  patient: Reference;
  identifiedDateTime: string;
  author?: Reference;
  detail?: string;
}

export interface EncounterParticipant {
  type?: CodeableConcept[];
  period?: Period;
  individual: Reference;
}

export interface Encounter {
  resourceType: 'Encounter';
  extension?: Extension[];
  identifier: Identifier[];
  status: 'planned' | 'arrived' | 'triaged' | 'in-progress' | 'onleave' | 'finished' | 'cancelled';
  class: Coding;
  subject: Reference;
  participant?: EncounterParticipant[];
  period: Period;
  reasonCode: CodeableConcept[];
  location?: { location: Reference }[];
}

export interface CompositionEvent {
  code: CodeableConcept[];
  period: Period;
  detail?: Reference[];
}

export interface CompositionSection {
  title: string;
  code?: CodeableConcept;
  text: Narrative;
  entry: Reference[];
}

export interface Composition {
  resourceType: 'Composition';
  meta?: Meta;
  identifier: Identifier;
  status: 'preliminary' | 'final' | 'amended' | 'entered-in-error';
  type: CodeableConcept;
  category: CodeableConcept[];
  subject: Reference;
  encounter?: Reference;
  date: string;
  author: Reference[];
  title: string;
  event: CompositionEvent[];
  section: CompositionSection[];
}

export interface MedicationDispense {
  resourceType: 'MedicationDispense';
  identifier: Identifier[];
  status: 'preparation' | 'in-progress' | 'cancelled' | 'on-hold' | 'completed' | 'entered-in-error' | 'stopped' | 'declined';
  category: CodeableConcept;
  medicationCodeableConcept: CodeableConcept;
  subject: Reference;
  performer: { actor: Reference }[];
  whenHandedOver: string;
}

export type JournalResource = DetectedIssue | Encounter | Composition | MedicationDispense;

export interface BundleEntry {
  /** urn:uuid:…, so resources of one bundle can point at each other before the server names them. */
  fullUrl: string;
  resource: JournalResource;
  /** Conditional create: the server skips the entry when a resource with that identifier exists. */
  request: { method: 'POST'; url: JournalResource['resourceType']; ifNoneExist: string };
}

export interface Bundle {
  resourceType: 'Bundle';
  type: 'transaction';
  entry: BundleEntry[];
}
