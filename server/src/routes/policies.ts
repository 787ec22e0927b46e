/**
 * Escalation policies: chains attached to a resident, a site (any level) or an alarm type, most
 * specific wins. Administrators read and write them; alarms already open keep their own copy.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { Chain, DEVICE_EVENT_TYPES, ErrorEnvelope, TryggError, type Pool } from '@trygg/alarm-core';

const Policy = Type.Object({
  id: Type.String(),
  scope: Type.Enum(['resident', 'site', 'alarm-type']),
  scopeId: Type.String({ minLength: 1, maxLength: 64 }),
  alarmType: Type.Union([Type.Enum(DEVICE_EVENT_TYPES), Type.Null()]),
  chain: Chain,
  updatedAt: Type.String(),
});
const PolicyInput = Type.Object(
  {
    scope: Type.Enum(['resident', 'site', 'alarm-type']),
    scopeId: Type.String({ minLength: 1, maxLength: 64 }),
    alarmType: Type.Optional(Type.Union([Type.Enum(DEVICE_EVENT_TYPES), Type.Null()])),
    chain: Chain,
  },
  { additionalProperties: false },
);
const errors = { 400: ErrorEnvelope, 401: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope };

interface Row {
  id: string;
  scope: 'resident' | 'site' | 'alarm-type';
  scope_id: string;
  alarm_type: (typeof DEVICE_EVENT_TYPES)[number] | null;
  chain: Chain;
  updated_at: Date;
}
const toPolicy = (r: Row) => ({
  id: r.id,
  scope: r.scope,
  scopeId: r.scope_id,
  alarmType: r.alarm_type,
  chain: r.chain,
  updatedAt: r.updated_at.toISOString(),
});

const policies: FastifyPluginAsyncTypebox<{ pool: Pool }> = async (app, { pool }) => {
  app.get(
    '/api/escalation-policies',
    {
      config: { action: 'policy:read' },
      schema: { tags: ['escalation'], response: { 200: Type.Object({ policies: Type.Array(Policy) }), ...errors } },
    },
    async () => {
      const { rows } = await pool.query<Row>(
        'SELECT * FROM escalation_policies ORDER BY scope, scope_id, alarm_type NULLS FIRST',
      );
      return { policies: rows.map(toPolicy) };
    },
  );

  app.put(
    '/api/escalation-policies',
    {
      config: { action: 'policy:write' },
      schema: { tags: ['escalation'], body: PolicyInput, response: { 200: Policy, ...errors } },
    },
    async (req) => {
      const { scope, scopeId, chain } = req.body;
      const alarmType = req.body.alarmType ?? null;
      for (const s of chain.steps) {
        if (s.type === 'repeat' && s.fromStep >= chain.steps.indexOf(s)) {
          throw new TryggError('TRYGG_ERR_VALIDATION', 'a repeat step must go back to an earlier step');
        }
      }
      const table = scope === 'resident' ? 'residents' : scope === 'site' ? 'sites' : null;
      if (table && (await pool.query(`SELECT 1 FROM ${table} WHERE id = $1`, [scopeId])).rowCount === 0) {
        throw new TryggError('TRYGG_ERR_NOT_FOUND', `no ${scope} ${scopeId}`);
      }
      if (scope === 'alarm-type' && !(DEVICE_EVENT_TYPES as readonly string[]).includes(scopeId)) {
        throw new TryggError('TRYGG_ERR_VALIDATION', `unknown alarm type ${scopeId}`);
      }
      const { rows } = await pool.query<Row>(
        `INSERT INTO escalation_policies (scope, scope_id, alarm_type, chain) VALUES ($1, $2, $3, $4)
         ON CONFLICT (scope, scope_id, alarm_type) DO UPDATE SET chain = EXCLUDED.chain, updated_at = now()
         RETURNING *`,
        [scope, scopeId, alarmType, chain],
      );
      const row = rows[0];
      if (!row) throw new TryggError('TRYGG_ERR_INTERNAL');
      req.log.info({ policy: row.id, scope, scopeId, alarmType, by: req.principal?.userId }, 'escalation policy saved');
      return toPolicy(row);
    },
  );

  app.delete(
    '/api/escalation-policies/:id',
    {
      config: { action: 'policy:write' },
      schema: {
        tags: ['escalation'],
        params: Type.Object({ id: Type.String({ pattern: '^[0-9]+$' }) }),
        response: { 200: Type.Object({ deleted: Type.String() }), ...errors },
      },
    },
    async (req) => {
      const { rowCount } = await pool.query('DELETE FROM escalation_policies WHERE id = $1', [req.params.id]);
      if (rowCount !== 1) throw new TryggError('TRYGG_ERR_NOT_FOUND', `no policy ${req.params.id}`);
      req.log.info({ policy: req.params.id, by: req.principal?.userId }, 'escalation policy deleted');
      return { deleted: req.params.id };
    },
  );
};
export default policies;
