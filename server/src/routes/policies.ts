/**
 * Escalation policies: chains attached to a resident, a site (any level) or an alarm type, most
 * specific wins. Administrators read and write them; alarms already open keep their own copy.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  API,
  DEVICE_EVENT_TYPES,
  TryggError,
  deletePolicy,
  listPolicies,
  policyScopeExists,
  savePolicy,
  type Pool,
} from '@trygg/alarm-core';
import { serve } from './serve.js';

const policies: FastifyPluginAsyncTypebox<{ pool: Pool }> = async (app, { pool }) => {
  serve(app, API.listPolicies, { action: 'policy:read' }, async () => ({ policies: await listPolicies(pool) }));

  serve(app, API.savePolicy, { action: 'policy:write' }, async (req) => {
    const { scope, scopeId, chain } = req.body;
    const alarmType = req.body.alarmType ?? null;
    for (const s of chain.steps) {
      if (s.type === 'repeat' && s.fromStep >= chain.steps.indexOf(s)) {
        throw new TryggError('TRYGG_ERR_VALIDATION', 'a repeat step must go back to an earlier step');
      }
    }
    if (scope !== 'alarm-type' && !(await policyScopeExists(pool, scope, scopeId))) {
      throw new TryggError('TRYGG_ERR_NOT_FOUND', `no ${scope} ${scopeId}`);
    }
    if (scope === 'alarm-type' && !(DEVICE_EVENT_TYPES as readonly string[]).includes(scopeId)) {
      throw new TryggError('TRYGG_ERR_VALIDATION', `unknown alarm type ${scopeId}`);
    }
    const policy = await savePolicy(pool, { scope, scopeId, alarmType, chain });
    if (!policy) throw new TryggError('TRYGG_ERR_INTERNAL');
    req.log.info({ policy: policy.id, scope, scopeId, alarmType, by: req.principal?.userId }, 'escalation policy saved');
    return policy;
  });

  serve(app, API.deletePolicy, { action: 'policy:write' }, async (req) => {
    if (!(await deletePolicy(pool, req.params.id))) throw new TryggError('TRYGG_ERR_NOT_FOUND', `no policy ${req.params.id}`);
    req.log.info({ policy: req.params.id, by: req.principal?.userId }, 'escalation policy deleted');
    return { deleted: req.params.id };
  });
};
export default policies;
