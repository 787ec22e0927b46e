/**
 * An alarm's journal record, downloadable as FHIR R4 JSON or XML: the same Bundle the journal
 * outbox delivers (DetectedIssue, Encounter, Composition), for an operator or administrator.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { TryggError, alarmBundle, getAlarm, getTimeline, toFhirXml, type Pool } from '@trygg/alarm-core';
import { parseNationalId } from '@trygg/devices';

const journal: FastifyPluginAsyncTypebox<{ pool: Pool }> = async (app, { pool }) => {
  app.get(
    '/api/alarms/:id/journal',
    {
      config: { action: 'alarm:export' },
      schema: {
        tags: ['journal'],
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        querystring: Type.Object({ format: Type.Optional(Type.Enum(['json', 'xml'])) }, { additionalProperties: false }),
        // The body is FHIR (JSON or XML), not one of our schemas; errors are the usual envelope.
      },
    },
    async (req, reply) => {
      const alarm = await getAlarm(pool, req.params.id);
      if (!alarm) throw new TryggError('TRYGG_ERR_ALARM_NOT_FOUND');
      const timeline = await getTimeline(pool, alarm.id);
      const { rows } = await pool.query<{ national_id: string | null; name: string }>(
        'SELECT national_id, name FROM residents WHERE id = $1',
        [alarm.subject.residentId],
      );
      const resident = rows[0];
      const kind = resident?.national_id ? parseNationalId(resident.national_id)?.kind : undefined;
      const bundle = alarmBundle({
        alarm,
        timeline,
        patient: {
          nationalId: kind === 'fnr' ? (resident?.national_id ?? null) : null,
          dNumber: kind === 'dnr' ? (resident?.national_id ?? null) : null,
          name: resident?.name ?? alarm.subject.residentName,
        },
      });
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
};
export default journal;
