/**
 * An audit row → a FHIR R4 AuditEvent shaped after IHE Basic Audit Log Patterns (BALP): type
 * `rest`, the RESTful interaction as subtype, the action letter, the outcome, the purpose of
 * use, three agents (the person or API client asking — the requestor, with role and network
 * address; the software it used; Trygg as the server), Trygg as the observing source, and the
 * entities: each resident (patient, type 1 role 1), the data touched, the request id, and for a
 * search its query.
 */

/** One row of `audit_events`, as the export reads it. */
export interface AuditRow {
  id: string;
  at: Date;
  actor_user_id: string | null;
  actor_role: string | null;
  action: string;
  entity_type: string;
  entity_id: string | null;
  outcome: string;
  subtype: 'read' | 'search' | 'create' | 'update' | 'delete' | 'operation';
  purpose: string;
  source_ip: string | null;
  request_id: string | null;
  client_id: string | null;
  query: string | null;
  patient_ids: string[];
}

interface Coding {
  system: string;
  code: string;
  display?: string;
}

export interface AuditEventResource {
  resourceType: 'AuditEvent';
  id: string;
  meta: { profile: string[] };
  type: Coding;
  subtype: Coding[];
  action: 'C' | 'R' | 'U' | 'D' | 'E';
  recorded: string;
  outcome: '0' | '4' | '8';
  outcomeDesc?: string;
  purposeOfEvent: { coding: Coding[] }[];
  agent: Record<string, unknown>[];
  source: Record<string, unknown>;
  entity: Record<string, unknown>[];
}

const CS = {
  eventType: 'http://terminology.hl7.org/CodeSystem/audit-event-type',
  interaction: 'http://hl7.org/fhir/restful-interaction',
  actReason: 'http://terminology.hl7.org/CodeSystem/v3-ActReason',
  agentType: 'http://terminology.hl7.org/CodeSystem/extra-security-role-type',
  dicom: 'http://dicom.nema.org/resources/ontology/DCM',
  sourceType: 'http://terminology.hl7.org/CodeSystem/security-source-type',
  entityType: 'http://terminology.hl7.org/CodeSystem/audit-entity-type',
  objectRole: 'http://terminology.hl7.org/CodeSystem/object-role',
  balpEntity: 'https://profiles.ihe.net/ITI/BALP/CodeSystem/BasicAuditEntityType',
} as const;

const BALP = 'https://profiles.ihe.net/ITI/BALP/StructureDefinition';

/** BALP's profile per interaction, the patient-specific one when a resident is involved. */
function profile(row: AuditRow): string {
  const patient = row.patient_ids.length > 0;
  switch (row.subtype) {
    case 'read':
      return `${BALP}/IHE.BasicAudit.${patient ? 'PatientRead' : 'Read'}`;
    case 'search':
      return `${BALP}/IHE.BasicAudit.${patient ? 'PatientQuery' : 'Query'}`;
    case 'create':
      return `${BALP}/IHE.BasicAudit.${patient ? 'PatientCreate' : 'Create'}`;
    case 'update':
      return `${BALP}/IHE.BasicAudit.${patient ? 'PatientUpdate' : 'Update'}`;
    case 'delete':
      return `${BALP}/IHE.BasicAudit.${patient ? 'PatientDelete' : 'Delete'}`;
    case 'operation':
      return `${BALP}/IHE.BasicAudit.${patient ? 'PatientRead' : 'Read'}`;
  }
}

const ACTION: Record<AuditRow['subtype'], AuditEventResource['action']> = {
  read: 'R',
  search: 'E',
  create: 'C',
  update: 'U',
  delete: 'D',
  operation: 'E',
};

/** `success` → 0; a refusal (an error code, a 4xx) → 4; a failure of the service → 8. */
function outcome(o: string): AuditEventResource['outcome'] {
  if (o === 'success') return '0';
  return /^http-5/.test(o) || o === 'TRYGG_ERR_INTERNAL' ? '8' : '4';
}

const ident = (system: string, value: string) => ({ identifier: { system, value } });

export function auditEvent(row: AuditRow): AuditEventResource {
  const isClient = row.actor_role === 'client';
  const requestor: Record<string, unknown> = {
    type: { coding: [{ system: CS.agentType, code: isClient ? 'datacollector' : 'humanuser' }] },
    who: row.actor_user_id ? ident('urn:trygg:user', row.actor_user_id) : { display: 'unknown' },
    requestor: true,
    ...(row.actor_role
      ? { role: row.actor_role.split(',').map((r) => ({ coding: [{ system: 'urn:trygg:role', code: r }] })) }
      : {}),
    ...(row.source_ip ? { network: { address: row.source_ip, type: '2' } } : {}),
    purposeOfUse: [{ coding: [{ system: CS.actReason, code: row.purpose }] }],
  };
  const software = {
    type: { coding: [{ system: CS.dicom, code: '110150', display: 'Application' }] },
    who: ident('urn:trygg:software', row.client_id ?? 'trygg-engine'),
    requestor: false,
  };
  const server = {
    type: { coding: [{ system: CS.dicom, code: '110152', display: 'Destination Role ID' }] },
    who: { display: 'Trygg' },
    requestor: false,
  };
  const entities: Record<string, unknown>[] = row.patient_ids.map((p) => ({
    what: ident('urn:trygg:resident', p),
    type: { system: CS.entityType, code: '1', display: 'Person' },
    role: { system: CS.objectRole, code: '1', display: 'Patient' },
  }));
  if (row.entity_id)
    entities.push({
      what: ident(`urn:trygg:${row.entity_type}`, row.entity_id),
      type: { system: CS.entityType, code: '2', display: 'System Object' },
      role: { system: CS.objectRole, code: '4', display: 'Domain Resource' },
    });
  if (row.request_id)
    entities.push({ what: ident('urn:trygg:request', row.request_id), type: { system: CS.balpEntity, code: 'XrequestId' } });
  if (row.subtype === 'search')
    entities.push({
      type: { system: CS.entityType, code: '2', display: 'System Object' },
      role: { system: CS.objectRole, code: '24', display: 'Query' },
      description: row.entity_type,
      query: Buffer.from(row.query ?? '', 'utf8').toString('base64'),
    });
  return {
    resourceType: 'AuditEvent',
    id: row.id,
    meta: { profile: [profile(row)] },
    type: { system: CS.eventType, code: 'rest', display: 'RESTful Operation' },
    subtype: [{ system: CS.interaction, code: row.subtype === 'search' ? 'search-type' : row.subtype }],
    action: ACTION[row.subtype],
    recorded: row.at.toISOString(),
    outcome: outcome(row.outcome),
    ...(row.outcome === 'success' ? {} : { outcomeDesc: row.outcome }),
    purposeOfEvent: [{ coding: [{ system: CS.actReason, code: row.purpose }] }],
    agent: [requestor, software, server],
    source: {
      observer: { display: 'Trygg' },
      type: [{ system: CS.sourceType, code: '4', display: 'Application Server' }],
    },
    entity: entities,
  };
}
