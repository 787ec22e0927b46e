/**
 * What a relative may do and see of an alarm, for every route at once (the REST commands and a
 * push notification's buttons alike):
 * - a command on an alarm needs the relative's consent to stand *now* for the alarm's resident:
 *   the roster was copied when the alarm opened, but a withdrawn consent takes effect at once,
 *   and the refusal carries nothing of the resident;
 * - an alarm in an answer shows the relative only themselves of the people it names (their own
 *   roster entry and alerts) and who took it by name; other relatives, staff and technicians,
 *   and everyone's ids, are left out.
 * A person who is also staff, an operator or an administrator is not a relative-only reader.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { TryggError, type Alarm, type Pool, type Principal } from '@trygg/alarm-core';

function relativeOnly(p: Principal | null): p is Principal {
  return !!p && p.kind !== 'client' && p.roles.includes('relative') && p.roles.every((r) => r === 'relative');
}

/** The alarm as a relative sees it: themselves, and who took it; nobody else the chain names. */
export function relativeView(alarm: Alarm, userId: string): Alarm {
  const esc = alarm.escalation;
  const own = (r: { userId: string | null }) => r.userId === userId;
  const claimedBy = alarm.claimedBy && (alarm.claimedBy.userId === userId ? alarm.claimedBy : { ...alarm.claimedBy, userId: '' });
  return {
    ...alarm,
    claimedBy,
    escalation: {
      ...esc,
      roster: {
        relatives: esc.roster.relatives.filter(own),
        'floor-staff': [],
        'site-staff': [],
        // The response centre is a service, not a person: it stays.
        'response-centre': esc.roster['response-centre'].filter((r) => r.kind === 'response-centre' && r.userId === null),
        technicians: [],
      },
      alerts: esc.alerts
        .filter((a) => own(a.recipient) || a.state === 'accepted' || a.recipient.kind === 'response-centre')
        .map((a) => (own(a.recipient) ? a : { ...a, recipient: { ...a.recipient, id: '', userId: null } })),
    },
  };
}

function alarmIdOf(req: FastifyRequest): string | null {
  if (req.actionScope) return req.actionScope.alarmId;
  const id = (req.params as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' ? id : null;
}

export default fp<{ pool: Pool }>(
  async (app: FastifyInstance, { pool }) => {
    app.addHook('preHandler', async (req) => {
      const p = req.principal;
      if (req.routeOptions.config.action !== 'alarm:command' || !relativeOnly(p)) return;
      // Commands only an operator gives are refused as such by the engine.
      const type = (req.body as { type?: unknown } | null)?.type;
      if (type === 'claim' || type === 'dispatch') return;
      const alarmId = alarmIdOf(req);
      const { rowCount } = await pool.query(
        `SELECT 1 FROM alarms a JOIN relatives r ON r.resident_id = a.resident_id
          WHERE a.id = $1 AND r.user_id = $2 AND r.consent_at IS NOT NULL`,
        [alarmId, p.userId],
      );
      if (rowCount === 0) {
        req.log.info({ code: 'TRYGG_ERR_NOT_ALERTED', userId: p.userId, alarmId }, 'relative without standing consent refused');
        throw new TryggError('TRYGG_ERR_NOT_ALERTED');
      }
    });
    app.addHook('preSerialization', async (req, _reply, payload: unknown) => {
      const p = req.principal;
      if (!relativeOnly(p) || typeof payload !== 'object' || payload === null) return payload;
      const body = payload as { alarm?: Alarm; alarms?: Alarm[] };
      if (!body.alarm && !Array.isArray(body.alarms)) return payload;
      return {
        ...body,
        ...(body.alarm ? { alarm: relativeView(body.alarm, p.userId) } : {}),
        ...(Array.isArray(body.alarms) ? { alarms: body.alarms.map((a) => relativeView(a, p.userId)) } : {}),
      };
    });
  },
  { name: 'trygg-relative-view', dependencies: ['trygg-auth'] },
);
