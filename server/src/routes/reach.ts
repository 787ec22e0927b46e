/**
 * Reach, for administrators: the residents whose chains have people nobody can reach now (no
 * app and no phone number, no consent, a channel this installation does not send on), so they
 * are fixed before an alarm needs them. A read of personal data: audited.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { API, type ChannelKind, type Pool } from '@trygg/alarm-core';
import { unreachablePeople } from '@trygg/devices';
import { serve } from './serve.js';

export interface ReachRouteDeps {
  pool: Pool;
  /** The channel kinds the engine sends on now. */
  channelKinds: () => readonly ChannelKind[];
}

const reach: FastifyPluginAsyncTypebox<ReachRouteDeps> = async (app, { pool, channelKinds }) => {
  serve(app, API.listUnreachable, { action: 'reach:read', audit: { entity: 'resident', subtype: 'search' } }, async (req) => {
    const list = await unreachablePeople(pool, channelKinds());
    req.audit.patients(list.residents.map((r) => r.residentId));
    return list;
  });
};
export default reach;
