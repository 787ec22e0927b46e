/**
 * FHIR XML needs child elements in the order the specification defines them; JSON does not.
 * The full definitions live in fhir.r4.schema.json (outside the package, 2.8 MB), so the order of
 * the elements the journal writes is copied here, per type, from that schema's property order.
 * xml.test.ts checks this table against the schema, so it stays a faithful excerpt.
 *
 * Each entry maps an element to its datatype: a complex type named as in the schema
 * (`Bundle_Entry`), `ResourceList` for a nested resource, `xhtml` for narrative, or null for a
 * primitive. Elements not listed are written after the listed ones, in insertion order.
 */

export type ElementTable = Readonly<Record<string, string | null>>;

/** The elements every resource starts with (Resource + DomainResource). */
const RESOURCE_HEAD = {
  id: null,
  meta: 'Meta',
  implicitRules: null,
  language: null,
  text: 'Narrative',
  contained: 'ResourceList',
  extension: 'Extension',
  modifierExtension: 'Extension',
} as const;

/** The elements every backbone element starts with. */
const BACKBONE_HEAD = { id: null, extension: 'Extension', modifierExtension: 'Extension' } as const;

export const ELEMENT_ORDER: Readonly<Record<string, ElementTable>> = {
  Bundle: {
    id: null,
    meta: 'Meta',
    implicitRules: null,
    language: null,
    identifier: 'Identifier',
    type: null,
    timestamp: null,
    entry: 'Bundle_Entry',
  },
  Bundle_Entry: { ...BACKBONE_HEAD, fullUrl: null, resource: 'ResourceList', request: 'Bundle_Request' },
  Bundle_Request: {
    ...BACKBONE_HEAD,
    method: null,
    url: null,
    ifNoneMatch: null,
    ifModifiedSince: null,
    ifMatch: null,
    ifNoneExist: null,
  },
  DetectedIssue: {
    ...RESOURCE_HEAD,
    identifier: 'Identifier',
    status: null,
    code: 'CodeableConcept',
    severity: null,
    patient: 'Reference',
    identifiedDateTime: null,
    identifiedPeriod: 'Period',
    author: 'Reference',
    implicated: 'Reference',
    detail: null,
    reference: null,
  },
  Encounter: {
    ...RESOURCE_HEAD,
    identifier: 'Identifier',
    status: null,
    class: 'Coding',
    type: 'CodeableConcept',
    subject: 'Reference',
    participant: 'Encounter_Participant',
    period: 'Period',
    reasonCode: 'CodeableConcept',
    location: 'Encounter_Location',
  },
  Encounter_Participant: { ...BACKBONE_HEAD, type: 'CodeableConcept', period: 'Period', individual: 'Reference' },
  Encounter_Location: { ...BACKBONE_HEAD, location: 'Reference', status: null, period: 'Period' },
  Composition: {
    ...RESOURCE_HEAD,
    identifier: 'Identifier',
    status: null,
    type: 'CodeableConcept',
    category: 'CodeableConcept',
    subject: 'Reference',
    encounter: 'Reference',
    date: null,
    author: 'Reference',
    title: null,
    confidentiality: null,
    event: 'Composition_Event',
    section: 'Composition_Section',
  },
  Composition_Event: { ...BACKBONE_HEAD, code: 'CodeableConcept', period: 'Period', detail: 'Reference' },
  Composition_Section: {
    ...BACKBONE_HEAD,
    title: null,
    code: 'CodeableConcept',
    author: 'Reference',
    text: 'Narrative',
    mode: null,
    entry: 'Reference',
    section: 'Composition_Section',
  },
  MedicationDispense: {
    ...RESOURCE_HEAD,
    identifier: 'Identifier',
    status: null,
    category: 'CodeableConcept',
    medicationCodeableConcept: 'CodeableConcept',
    medicationReference: 'Reference',
    subject: 'Reference',
    performer: 'MedicationDispense_Performer',
    whenPrepared: null,
    whenHandedOver: null,
  },
  MedicationDispense_Performer: { ...BACKBONE_HEAD, function: 'CodeableConcept', actor: 'Reference' },
  Meta: { id: null, extension: 'Extension', versionId: null, lastUpdated: null, source: null, profile: null, tag: 'Coding' },
  Narrative: { id: null, extension: 'Extension', status: null, div: 'xhtml' },
  Extension: { id: null, extension: 'Extension', url: null, valueString: null, valueReference: 'Reference' },
  Identifier: {
    id: null,
    extension: 'Extension',
    use: null,
    type: 'CodeableConcept',
    system: null,
    value: null,
    period: 'Period',
  },
  Reference: { id: null, extension: 'Extension', reference: null, type: null, identifier: 'Identifier', display: null },
  Coding: { id: null, extension: 'Extension', system: null, version: null, code: null, display: null, userSelected: null },
  CodeableConcept: { id: null, extension: 'Extension', coding: 'Coding', text: null },
  Period: { id: null, extension: 'Extension', start: null, end: null },
};
