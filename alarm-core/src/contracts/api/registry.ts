/**
 * The registry's people and places: sites, staff accounts and their shifts, residents and their
 * relatives, and the CSV import of residents or devices. Devices and installations are in
 * devices.ts.
 */
import Type, { type Static } from 'typebox';
import { ErrorEnvelope } from '../auth.js';
import { Id } from '../device-event.js';
import {
  ImportReport,
  Installation,
  Relative,
  RelativeInput,
  RelativeUpdate,
  Resident,
  ResidentInput,
  ResidentUpdate,
  SITE_KINDS,
  Shift,
  ShiftInput,
  Site,
  SiteInput,
  Staff,
  StaffInput,
} from '../registry.js';
import { IdParams, route } from './route.js';

/** The error statuses every registry route may answer. */
export const REGISTRY_ERRORS = [400, 401, 403, 404, 409] as const;
const errors = REGISTRY_ERRORS;

/** The largest CSV file an import takes. */
export const IMPORT_MAX_BYTES = 10 * 1024 * 1024;

/** An answer that says which record was deleted. */
export const Deleted = Type.Object({ deleted: Type.String() });
export type Deleted = Static<typeof Deleted>;

/** A resident as the registry shows them: with relatives and installations. */
export const ResidentRecord = Type.Object({
  resident: Resident,
  relatives: Type.Array(Relative),
  installations: Type.Array(Installation),
});
export type ResidentRecord = Static<typeof ResidentRecord>;

/** A new account, with its first password when one was made (shown once). */
export const StaffCreated = Type.Object({ staff: Staff, password: Type.Union([Type.String(), Type.Null()]) });
export type StaffCreated = Static<typeof StaffCreated>;

/** A refused import: the error envelope with the full report of every bad row. */
export const ImportRefused = Type.Object({
  ...ImportReport.properties,
  status: Type.Literal('error'),
  code: Type.String(),
  message: Type.String(),
});
export type ImportRefused = Static<typeof ImportRefused>;

export const registryApi = {
  listSites: route({
    method: 'GET',
    path: '/api/sites',
    tag: 'registry',
    summary: 'Sites, optionally those under one site or of one kind',
    query: Type.Object({ under: Type.Optional(Id), kind: Type.Optional(Type.Enum(SITE_KINDS)) }, { additionalProperties: false }),
    response: Type.Object({ sites: Type.Array(Site) }),
    errors,
  }),
  createSite: route({
    method: 'POST',
    path: '/api/sites',
    tag: 'registry',
    summary: 'Add a site (a home, or an institution, building, floor or room)',
    body: SiteInput,
    response: Site,
    status: 201,
    errors,
  }),
  listStaff: route({
    method: 'GET',
    path: '/api/staff',
    tag: 'registry',
    summary: 'Staff accounts, optionally of one role',
    query: Type.Object({ role: Type.Optional(Type.String({ maxLength: 32 })) }, { additionalProperties: false }),
    response: Type.Object({ staff: Type.Array(Staff) }),
    errors,
  }),
  createStaff: route({
    method: 'POST',
    path: '/api/staff',
    tag: 'registry',
    summary: 'Add a staff account (its first password is in the answer only)',
    body: StaffInput,
    response: StaffCreated,
    status: 201,
    errors,
  }),
  listShifts: route({
    method: 'GET',
    path: '/api/shifts',
    tag: 'registry',
    summary: 'Planned shifts, of a site or a person',
    query: Type.Object({ siteId: Type.Optional(Id), userId: Type.Optional(Id) }, { additionalProperties: false }),
    response: Type.Object({ shifts: Type.Array(Shift) }),
    errors,
  }),
  addShift: route({
    method: 'POST',
    path: '/api/shifts',
    tag: 'registry',
    summary: 'Plan a shift',
    body: ShiftInput,
    response: Shift,
    status: 201,
    errors,
  }),
  deleteShift: route({
    method: 'DELETE',
    path: '/api/shifts/:id',
    tag: 'registry',
    summary: 'Remove a planned shift',
    params: Type.Object({ id: Type.String({ maxLength: 20 }) }),
    response: Deleted,
    errors,
  }),
  listResidents: route({
    method: 'GET',
    path: '/api/residents',
    tag: 'registry',
    summary: 'Residents, of a site or matching a name',
    query: Type.Object(
      { siteId: Type.Optional(Id), q: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) },
      { additionalProperties: false },
    ),
    response: Type.Object({ residents: Type.Array(Resident) }),
    errors,
  }),
  createResident: route({
    method: 'POST',
    path: '/api/residents',
    tag: 'registry',
    summary: 'Add a resident',
    body: ResidentInput,
    response: Resident,
    status: 201,
    errors,
  }),
  getResident: route({
    method: 'GET',
    path: '/api/residents/:id',
    tag: 'registry',
    summary: 'A resident with relatives and installations',
    params: IdParams,
    response: ResidentRecord,
    errors,
  }),
  setResidentConsent: route({
    method: 'PUT',
    path: '/api/residents/:id/consent',
    tag: 'registry',
    summary: "Record the resident's consent (or its withdrawal)",
    params: IdParams,
    body: Type.Object({ consent: Type.Boolean() }, { additionalProperties: false }),
    response: Resident,
    errors,
  }),
  updateResident: route({
    method: 'PATCH',
    path: '/api/residents/:id',
    tag: 'registry',
    summary: "Change a resident's details",
    params: IdParams,
    body: ResidentUpdate,
    response: Resident,
    errors,
  }),
  createRelative: route({
    method: 'POST',
    path: '/api/relatives',
    tag: 'registry',
    summary: "Add a relative to a resident's chain",
    body: RelativeInput,
    response: Relative,
    status: 201,
    errors,
  }),
  getRelative: route({
    method: 'GET',
    path: '/api/relatives/:id',
    tag: 'registry',
    summary: 'One relative',
    params: IdParams,
    response: Relative,
    errors,
  }),
  updateRelative: route({
    method: 'PATCH',
    path: '/api/relatives/:id',
    tag: 'registry',
    summary: "Change a relative's details",
    params: IdParams,
    body: RelativeUpdate,
    response: Relative,
    errors,
  }),
  deleteRelative: route({
    method: 'DELETE',
    path: '/api/relatives/:id',
    tag: 'registry',
    summary: 'Remove a relative',
    params: IdParams,
    response: Deleted,
    errors,
  }),
  importRegistry: route({
    method: 'POST',
    path: '/api/import/:kind',
    tag: 'registry',
    summary:
      'CSV import of residents or devices (text/csv): all rows in one transaction, or none and 400 with the report of every bad row',
    params: Type.Object({ kind: Type.Enum(['residents', 'devices']) }),
    query: Type.Object({ dryRun: Type.Optional(Type.Enum(['true', 'false'])) }, { additionalProperties: false }),
    body: Type.String({ maxLength: IMPORT_MAX_BYTES }),
    response: ImportReport,
    errors: [400, 401, 403],
    errorBodies: { 400: Type.Union([ImportRefused, ErrorEnvelope]) },
  }),
} as const;
