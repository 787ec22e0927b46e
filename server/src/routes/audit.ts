/**
 * The audit trail for administrators and the privacy officer: the events as NDJSON of FHIR
 * AuditEvent (IHE BALP) or as a FHIR XML Bundle, filtered by time, resident or user; and who has
 * looked at a given resident. Reading the trail is itself audited.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { API, auditEvent, listAuditRows, residentAccess, toFhirXml, type Pool } from '@trygg/alarm-core';
import { serve } from './serve.js';

const audit: FastifyPluginAsyncTypebox<{ pool: Pool }> = async (app, { pool }) => {
  serve(app, API.auditEvents, { action: 'audit:read', audit: { entity: 'audit', subtype: 'search' } }, async (req, reply) => {
    const { format, limit, ...filter } = req.query;
    const rows = await listAuditRows(pool, { ...filter, limit: Math.min(Number(limit ?? 1000), 10_000) });
    req.audit.patients(filter.resident ? [filter.resident] : []);
    const events = rows.map(auditEvent);
    if (format === 'xml') {
      const bundle = { resourceType: 'Bundle', type: 'collection', entry: events.map((resource) => ({ resource })) };
      return reply.type('application/fhir+xml; charset=utf-8').send(toFhirXml(bundle));
    }
    return reply.type('application/fhir+ndjson; charset=utf-8').send(events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  });

  serve(app, API.residentAccess, { action: 'audit:read', audit: { entity: 'audit', subtype: 'search' } }, async (req) => {
    const access = await residentAccess(pool, req.params.id);
    req.audit.patients([req.params.id]);
    return { residentId: req.params.id, access };
  });
};
export default audit;
