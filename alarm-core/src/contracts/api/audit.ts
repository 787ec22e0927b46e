/**
 * The audit trail for administrators and the privacy officer: the events as FHIR AuditEvent
 * (IHE BALP), NDJSON or an XML Bundle; and who has looked at a given resident.
 */
import Type, { type Static } from 'typebox';
import { route } from './route.js';

const Nullable = <T extends Type.TSchema>(t: T) => Type.Union([t, Type.Null()]);
const errors = [400, 401, 403] as const;

/** One access to a resident's data. */
export const AccessRecord = Type.Object({
  at: Type.String({ format: 'date-time' }),
  userId: Nullable(Type.String()),
  /** The roles the person acted in (comma-separated), `client` for an API client. */
  role: Nullable(Type.String()),
  /** `<entity>.<subtype>`, e.g. `resident.read`. */
  action: Type.String(),
  /** Purpose of use (HL7 v3 ActReason: TREAT, HOPERAT, ETREAT …). */
  purpose: Type.String(),
  /** `success`, or what went wrong (`http-403` …). */
  outcome: Type.String(),
  /** The address the request came from. */
  from: Nullable(Type.String()),
});
export type AccessRecord = Static<typeof AccessRecord>;

export const ResidentAccess = Type.Object({ residentId: Type.String(), access: Type.Array(AccessRecord) });
export type ResidentAccess = Static<typeof ResidentAccess>;

export const auditApi = {
  auditEvents: route({
    method: 'GET',
    path: '/api/audit/events',
    tag: 'audit',
    summary: 'Audit events as FHIR AuditEvent: NDJSON (default) or an XML Bundle, by time, resident or user',
    query: Type.Object(
      {
        format: Type.Optional(Type.Enum(['ndjson', 'xml'])),
        from: Type.Optional(Type.String({ format: 'date-time' })),
        to: Type.Optional(Type.String({ format: 'date-time' })),
        resident: Type.Optional(Type.String({ maxLength: 100 })),
        user: Type.Optional(Type.String({ maxLength: 100 })),
        limit: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,4}$' })),
      },
      { additionalProperties: false },
    ),
    produces: 'application/fhir+ndjson',
    errors,
  }),
  residentAccess: route({
    method: 'GET',
    path: '/api/audit/residents/:id/access',
    tag: 'audit',
    summary: "Who has looked at or changed a resident's data, newest first",
    params: Type.Object({ id: Type.String({ maxLength: 100 }) }),
    response: ResidentAccess,
    errors,
  }),
} as const;
