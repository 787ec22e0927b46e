/**
 * Data ownership for administrators: every dataset of the municipality as NDJSON, and erasing a
 * resident's personal data when the law requires it.
 */
import Type, { type Static } from 'typebox';
import { route } from './route.js';

/** The datasets an export can stream. */
export const EXPORT_DATASETS = [
  'sites',
  'residents',
  'relatives',
  'users',
  'devices',
  'installations',
  'alarms',
  'telemetry',
  'audit',
] as const;
export type ExportDataset = (typeof EXPORT_DATASETS)[number];

/** What an erasure removed or anonymised. */
export const Erasure = Type.Object({
  residentId: Type.String(),
  relatives: Type.Integer(),
  accounts: Type.Integer(),
  alarms: Type.Integer(),
  journalCopies: Type.Integer(),
});
export type Erasure = Static<typeof Erasure>;

export const dataApi = {
  exportDataset: route({
    method: 'GET',
    path: '/api/admin/export/:dataset',
    tag: 'data',
    summary: 'One dataset as NDJSON, streamed (a download; the audit trail as FHIR AuditEvent)',
    params: Type.Object({ dataset: Type.Enum(EXPORT_DATASETS) }),
    produces: 'application/x-ndjson',
    errors: [401, 403, 404, 409],
  }),
  erasePersonalData: route({
    method: 'DELETE',
    path: '/api/residents/:id/personal-data',
    tag: 'data',
    summary: "Erase a resident's personal data (what stays, and why: server/src/data/erase.ts)",
    params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }),
    response: Erasure,
    errors: [401, 403, 404, 409],
  }),
} as const;
