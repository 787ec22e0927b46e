/**
 * The resident card for the operator handling an alarm: address with a map link, notes for
 * responders, relatives with their state in this alarm, devices and their health, recent alarms.
 * The key-safe / digital-lock code is a separate request, answered only to the operator who
 * claimed this open alarm, and every answer (and refusal) is audited.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { API, TryggError, getAlarm, readKeySafe, readResidentCard, type Alarm, type Pool } from '@trygg/alarm-core';
import { serve } from './serve.js';

async function alarmOr404(pool: Pool, id: string): Promise<{ alarm: Alarm; residentId: string }> {
  const alarm = await getAlarm(pool, id);
  if (!alarm) throw new TryggError('TRYGG_ERR_ALARM_NOT_FOUND');
  const residentId = alarm.subject.residentId;
  if (!residentId) throw new TryggError('TRYGG_ERR_NOT_FOUND', 'this alarm has no resident');
  return { alarm, residentId };
}

const resident: FastifyPluginAsyncTypebox<{ pool: Pool }> = async (app, { pool }) => {
  serve(app, API.residentCard, { action: 'alarm:read' }, async (req) => {
    const { alarm, residentId } = await alarmOr404(pool, req.params.id);
    const card = await readResidentCard(pool, alarm, residentId);
    if (!card) throw new TryggError('TRYGG_ERR_NOT_FOUND', `no resident ${residentId}`);
    req.audit.patients([residentId]);
    return card;
  });

  serve(
    app,
    API.revealKeySafe,
    // Audited with its outcome, a refusal too (the plugin writes the event before the answer leaves).
    { action: 'alarm:key-safe', audit: { entity: 'key-safe', subtype: 'read' } },
    async (req) => {
      const { alarm, residentId } = await alarmOr404(pool, req.params.id);
      const open = alarm.state === 'claimed' || alarm.state === 'arrived';
      if (!open || alarm.claimedBy?.userId !== req.principal?.userId) {
        req.log.warn(
          { code: 'TRYGG_ERR_ALARM_NOT_CLAIMED_BY_YOU', alarmId: alarm.id, userId: req.principal?.userId },
          'key-safe refused',
        );
        throw new TryggError(
          'TRYGG_ERR_ALARM_NOT_CLAIMED_BY_YOU',
          'the key-safe code is shown only to the operator who claimed the open alarm',
        );
      }
      const keySafe = await readKeySafe(pool, residentId);
      req.audit.patients([residentId]);
      return { keySafe };
    },
  );
};
export default resident;
