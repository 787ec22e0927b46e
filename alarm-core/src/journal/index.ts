/** Journal: closed alarms and dispenser events as FHIR R4 bundles (JSON and XML) for the patient record. */
export { alarmBundle, type AlarmJournalInput } from './map-alarm.js';
export { dispenserBundle, type DispenserJournalInput, type DispenserRecord } from './map-dispenser.js';
export { deviceEventEntryId } from './entry-id.js';
export { toFhirXml } from './xml.js';
export type { JournalPatient } from './references.js';
export { CS as CODE_SYSTEMS, ID as IDENTIFIER_SYSTEMS, PROFILE as PROFILES } from './codes.js';
export type * from './fhir-types.js';
export * from './client.js';
export * from './worker.js';
export * from './watch.js';
export * from './outbox.js';
