/**
 * The audit trail for administrators and the privacy officer: the events as NDJSON of FHIR
 * AuditEvent (IHE BALP) or as a FHIR XML Bundle, filtered by time, resident or user; and who has
 * looked at a given resident. Reading the trail is itself audited.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { ErrorEnvelope, auditEvent, toFhirXml, type AuditRow, type Pool } from '@trygg/alarm-core';

const errors = { 400: ErrorEnvelope, 401: ErrorEnvelope, 403: ErrorEnvelope };
const COLUMNS = `id::text, at, actor_user_id, actor_role, action, entity_type, entity_id, outcome, subtype, purpose,
                 source_ip, request_id, client_id, query, patient_ids`;

const Access = Type.Object({
  at: Type.String(),
  userId: Type.Union([Type.String(), Type.Null()]),
  role: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  purpose: Type.String(),
  outcome: Type.String(),
  from: Type.Union([Type.String(), Type.Null()]),
});

const audit: FastifyPluginAsyncTypebox<{ pool: Pool }> = async (app, { pool }) => {
  app.get(
    '/api/audit/events',
    {
      config: { action: 'audit:read', audit: { entity: 'audit', subtype: 'search' } },
      schema: {
        tags: ['audit'],
        querystring: Type.Object(
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
        // The body is FHIR (NDJSON or XML), not one of our schemas; errors are the usual envelope.
      },
    },
    async (req, reply) => {
      const q = req.query;
      const { rows } = await pool.query<AuditRow>(
        `SELECT ${COLUMNS} FROM audit_events
          WHERE ($1::timestamptz IS NULL OR at >= $1) AND ($2::timestamptz IS NULL OR at < $2)
            AND ($3::text IS NULL OR $3 = ANY (patient_ids)) AND ($4::text IS NULL OR actor_user_id = $4)
          ORDER BY at, id LIMIT $5`,
        [q.from ?? null, q.to ?? null, q.resident ?? null, q.user ?? null, Math.min(Number(q.limit ?? 1000), 10_000)],
      );
      req.audit.patients(q.resident ? [q.resident] : []);
      const events = rows.map(auditEvent);
      if (q.format === 'xml') {
        const bundle = { resourceType: 'Bundle', type: 'collection', entry: events.map((resource) => ({ resource })) };
        return reply.type('application/fhir+xml; charset=utf-8').send(toFhirXml(bundle));
      }
      return reply.type('application/fhir+ndjson; charset=utf-8').send(events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    },
  );

  app.get(
    '/api/audit/residents/:id/access',
    {
      config: { action: 'audit:read', audit: { entity: 'audit', subtype: 'search' } },
      schema: {
        tags: ['audit'],
        params: Type.Object({ id: Type.String({ maxLength: 100 }) }),
        response: { 200: Type.Object({ residentId: Type.String(), access: Type.Array(Access) }), ...errors },
      },
    },
    async (req) => {
      const { rows } = await pool.query<AuditRow>(
        `SELECT ${COLUMNS} FROM audit_events WHERE $1 = ANY (patient_ids) ORDER BY at DESC, id DESC LIMIT 1000`,
        [req.params.id],
      );
      req.audit.patients([req.params.id]);
      return {
        residentId: req.params.id,
        access: rows.map((r) => ({
          at: r.at.toISOString(),
          userId: r.actor_user_id,
          role: r.actor_role,
          action: r.action,
          purpose: r.purpose,
          outcome: r.outcome,
          from: r.source_ip,
        })),
      };
    },
  );
};
export default audit;
