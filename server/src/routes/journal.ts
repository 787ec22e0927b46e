/**
 * An alarm's journal record from the API: downloadable as FHIR R4 JSON or XML (the same Bundle
 * the journal worker delivers), its delivery state, and a re-send. The backlog and the list of
 * entries are in journal-admin.ts.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import {
  ErrorEnvelope,
  JournalStatus,
  TryggError,
  alarmBundle,
  getAlarm,
  getTimeline,
  toFhirXml,
  type JournalState,
  type Pool,
} from '@trygg/alarm-core';
import { journalPatient } from '@trygg/devices';

/** Queues an entry again from the start (a re-send forgets a 202's follow-up address). */
export const RESEND = `UPDATE journal_outbox SET status = 'pending', next_attempt_at = now(), last_error = NULL, location = NULL`;

const Params = Type.Object({ id: Type.String({ format: 'uuid' }) });
const errors = { 401: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope };

const journal: FastifyPluginAsyncTypebox<{ pool: Pool }> = async (app, { pool }) => {
  app.get(
    '/api/alarms/:id/journal',
    {
      config: { action: 'alarm:export', audit: { entity: 'journal-record', subtype: 'read' } },
      schema: {
        tags: ['journal'],
        params: Params,
        querystring: Type.Object({ format: Type.Optional(Type.Enum(['json', 'xml'])) }, { additionalProperties: false }),
        // The body is FHIR (JSON or XML), not one of our schemas; errors are the usual envelope.
      },
    },
    async (req, reply) => {
      const alarm = await getAlarm(pool, req.params.id);
      if (!alarm) throw new TryggError('TRYGG_ERR_ALARM_NOT_FOUND');
      const bundle = alarmBundle({
        alarm,
        timeline: await getTimeline(pool, alarm.id),
        patient: await journalPatient(pool, alarm.subject.residentId),
      });
      req.audit.patients([alarm.subject.residentId]);
      req.log.info(
        { alarmId: alarm.id, residentId: alarm.subject.residentId, by: req.principal?.userId },
        'journal record exported',
      );
      const xml = req.query.format === 'xml';
      return reply
        .header('content-disposition', `attachment; filename="alarm-${alarm.id}.${xml ? 'xml' : 'json'}"`)
        .type(xml ? 'application/fhir+xml; charset=utf-8' : 'application/fhir+json; charset=utf-8')
        .send(xml ? toFhirXml(bundle) : JSON.stringify(bundle));
    },
  );

  app.get(
    '/api/alarms/:id/journal/status',
    {
      config: { action: 'alarm:read' },
      schema: { tags: ['journal'], params: Params, response: { 200: JournalStatus, ...errors } },
    },
    async (req) => {
      const { rows } = await pool.query<{
        status: JournalState;
        attempts: number;
        last_error: string | null;
        journaled_at: Date | null;
      }>('SELECT status, attempts, last_error, journaled_at FROM journal_outbox WHERE alarm_id = $1', [req.params.id]);
      const r = rows[0];
      if (!r) {
        if (!(await getAlarm(pool, req.params.id))) throw new TryggError('TRYGG_ERR_ALARM_NOT_FOUND');
        return { status: 'none' as const, attempts: 0, lastError: null, journaledAt: null };
      }
      return {
        status: r.status,
        attempts: r.attempts,
        lastError: r.last_error,
        journaledAt: r.journaled_at?.toISOString() ?? null,
      };
    },
  );

  app.post(
    '/api/alarms/:id/journal/resend',
    {
      config: { action: 'journal:admin' },
      schema: { tags: ['journal'], params: Params, response: { 200: JournalStatus, ...errors } },
    },
    async (req) => {
      const { rows } = await pool.query<{ status: JournalState; attempts: number }>(
        RESEND + ' WHERE alarm_id = $1 RETURNING status, attempts',
        [req.params.id],
      );
      const r = rows[0];
      if (!r) throw new TryggError('TRYGG_ERR_NOT_FOUND', 'this alarm has no journal entry (it is not closed)');
      req.log.info({ alarmId: req.params.id, by: req.principal?.userId }, 'journal entry queued again');
      return { status: r.status, attempts: r.attempts, lastError: null, journaledAt: null };
    },
  );
};
export default journal;
