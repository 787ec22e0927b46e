/**
 * The resident card for the operator handling an alarm: address with a map link, notes for
 * responders, relatives with their state in this alarm, devices and their health, recent alarms.
 * The key-safe / digital-lock code is a separate request, answered only to the operator who
 * claimed this open alarm, and every answer (and refusal) is audited.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { ErrorEnvelope, TryggError, getAlarm, type Alarm, type Pool } from '@trygg/alarm-core';

const Params = Type.Object({ id: Type.String({ format: 'uuid' }) });
const errors = { 401: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope, 409: ErrorEnvelope };
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const ResidentCard = Type.Object({
  resident: Type.Object({
    id: Type.String(),
    name: Type.String(),
    address: Nullable(Type.String()),
    mapUrl: Nullable(Type.String()),
    notes: Nullable(Type.String()),
    language: Type.String(),
    hasKeySafe: Type.Boolean(),
  }),
  relatives: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      relation: Nullable(Type.String()),
      phone: Nullable(Type.String()),
      /** pending, accepted, declined, withdrawn, informed, expired, or not-alerted. */
      state: Type.String(),
    }),
  ),
  devices: Type.Array(
    Type.Object({
      id: Type.String(),
      kind: Type.String(),
      status: Type.String(),
      lastSeenAt: Nullable(Type.String()),
      battery: Type.Union([Type.Number(), Type.Null()]),
      rssi: Type.Union([Type.Number(), Type.Null()]),
      /** ok, silent (missed heartbeats), low-battery, never-seen. */
      health: Type.String(),
    }),
  ),
  recent: Type.Array(
    Type.Object({
      id: Type.String(),
      type: Type.String(),
      state: Type.String(),
      openedAt: Type.String(),
      closedAt: Nullable(Type.String()),
    }),
  ),
});

async function alarmOr404(pool: Pool, id: string): Promise<Alarm & { subject: { residentId: string } }> {
  const alarm = await getAlarm(pool, id);
  if (!alarm) throw new TryggError('TRYGG_ERR_ALARM_NOT_FOUND');
  if (!alarm.subject.residentId) throw new TryggError('TRYGG_ERR_NOT_FOUND', 'this alarm has no resident');
  return alarm as Alarm & { subject: { residentId: string } };
}

const resident: FastifyPluginAsyncTypebox<{ pool: Pool }> = async (app, { pool }) => {
  app.get(
    '/api/alarms/:id/resident',
    {
      config: { action: 'alarm:read' },
      schema: { tags: ['alarms'], params: Params, response: { 200: ResidentCard, ...errors } },
    },
    async (req) => {
      const alarm = await alarmOr404(pool, req.params.id);
      const rid = alarm.subject.residentId;
      const r = await pool.query<{
        id: string;
        name: string;
        notes: string | null;
        language: string;
        has_key_safe: boolean;
        address: string | null;
      }>(
        `SELECT r.id, r.name, r.notes, r.language, (r.key_safe IS NOT NULL OR r.digital_lock IS NOT NULL) AS has_key_safe,
                coalesce(r.address, (SELECT up.address FROM trygg_site_ancestors(r.site_id) up
                                      WHERE up.address IS NOT NULL ORDER BY up.depth LIMIT 1)) AS address
           FROM residents r WHERE r.id = $1`,
        [rid],
      );
      const res = r.rows[0];
      if (!res) throw new TryggError('TRYGG_ERR_NOT_FOUND', `no resident ${rid}`);
      const rel = await pool.query<{ id: string; name: string; relation: string | null; phone: string | null }>(
        'SELECT id, name, relation, phone FROM relatives WHERE resident_id = $1 ORDER BY chain_order, name',
        [rid],
      );
      const dev = await pool.query<{
        id: string;
        kind: string;
        status: string;
        last_seen_at: Date | null;
        heartbeat_interval_s: number;
        battery: number | null;
        rssi: number | null;
      }>(
        `SELECT d.id, d.kind, d.status, d.last_seen_at, d.heartbeat_interval_s,
                (SELECT value FROM telemetry t WHERE t.device_id = d.id AND t.metric = 'battery' ORDER BY time DESC LIMIT 1) AS battery,
                (SELECT value FROM telemetry t WHERE t.device_id = d.id AND t.metric = 'rssi' ORDER BY time DESC LIMIT 1) AS rssi
           FROM devices d WHERE d.resident_id = $1 ORDER BY d.id`,
        [rid],
      );
      const recent = await pool.query<{ id: string; type: string; state: string; opened_at: Date; closed_at: Date | null }>(
        `SELECT id::text, type, doc->>'state' AS state, opened_at, closed_at FROM alarms
          WHERE resident_id = $1 AND id <> $2 ORDER BY opened_at DESC LIMIT 10`,
        [rid, alarm.id],
      );
      req.audit.patients([rid]);
      const now = Date.now();
      return {
        resident: {
          id: res.id,
          name: res.name,
          address: res.address,
          mapUrl: res.address ? `https://www.openstreetmap.org/search?query=${encodeURIComponent(res.address)}` : null,
          notes: res.notes,
          language: res.language,
          hasKeySafe: res.has_key_safe,
        },
        relatives: rel.rows.map((x) => ({
          ...x,
          state:
            alarm.escalation.alerts.find((a) => a.recipient.kind === 'relative' && a.recipient.id === x.id)?.state ??
            'not-alerted',
        })),
        devices: dev.rows.map((d) => {
          // The same rule as heartbeat supervision: silent past twice the interval plus a minute.
          const silent = d.last_seen_at && now - d.last_seen_at.getTime() > (2 * d.heartbeat_interval_s + 60) * 1000;
          const health = !d.last_seen_at
            ? 'never-seen'
            : silent
              ? 'silent'
              : d.battery !== null && d.battery < 20
                ? 'low-battery'
                : 'ok';
          return {
            id: d.id,
            kind: d.kind,
            status: d.status,
            lastSeenAt: d.last_seen_at?.toISOString() ?? null,
            battery: d.battery,
            rssi: d.rssi,
            health,
          };
        }),
        recent: recent.rows.map((a) => ({
          id: a.id,
          type: a.type,
          state: a.state,
          openedAt: a.opened_at.toISOString(),
          closedAt: a.closed_at?.toISOString() ?? null,
        })),
      };
    },
  );

  app.post(
    '/api/alarms/:id/key-safe',
    {
      // Audited with its outcome, a refusal too (the plugin writes the event before the answer leaves).
      config: { action: 'alarm:key-safe', audit: { entity: 'key-safe', subtype: 'read' } },
      schema: {
        tags: ['alarms'],
        params: Params,
        response: { 200: Type.Object({ keySafe: Nullable(Type.String()) }), ...errors },
      },
    },
    async (req) => {
      const alarm = await alarmOr404(pool, req.params.id);
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
      const { rows } = await pool.query<{ key_safe: string | null }>(
        // The key safe and the digital lock, whichever the home has.
        `SELECT nullif(concat_ws(' · ', key_safe, digital_lock), '') AS key_safe FROM residents WHERE id = $1`,
        [alarm.subject.residentId],
      );
      req.audit.patients([alarm.subject.residentId]);
      return { keySafe: rows[0]?.key_safe ?? null };
    },
  );
};
export default resident;
