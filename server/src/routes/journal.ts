/**
 * An alarm's journal record from the API: downloadable as FHIR R4 JSON or XML (the same Bundle
 * the journal worker delivers), its delivery state, and a re-send. The backlog and the list of
 * entries are in journal-admin.ts.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  API,
  TryggError,
  alarmBundle,
  alarmJournalStatus,
  getAlarm,
  getTimeline,
  resendAlarmJournal,
  toFhirXml,
  type Pool,
} from '@trygg/alarm-core';
import { journalPatient } from '@trygg/devices';
import { serve } from './serve.js';

const journal: FastifyPluginAsyncTypebox<{ pool: Pool }> = async (app, { pool }) => {
  serve(
    app,
    API.exportAlarmJournal,
    { action: 'alarm:export', audit: { entity: 'journal-record', subtype: 'read' } },
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

  serve(app, API.alarmJournalStatus, { action: 'alarm:read' }, async (req) => {
    const status = await alarmJournalStatus(pool, req.params.id);
    if (status) return status;
    if (!(await getAlarm(pool, req.params.id))) throw new TryggError('TRYGG_ERR_ALARM_NOT_FOUND');
    return { status: 'none' as const, attempts: 0, lastError: null, journaledAt: null };
  });

  serve(app, API.resendAlarmJournal, { action: 'journal:admin' }, async (req) => {
    const status = await resendAlarmJournal(pool, req.params.id);
    if (!status) throw new TryggError('TRYGG_ERR_NOT_FOUND', 'this alarm has no journal entry (it is not closed)');
    req.log.info({ alarmId: req.params.id, by: req.principal?.userId }, 'journal entry queued again');
    return status;
  });
};
export default journal;
