/** Sites (homes; institution → building → floor → room), staff accounts and their shifts. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { API, type Pool } from '@trygg/alarm-core';
import { addShift, createSite, createStaff, listShifts, listSites, listStaff, removeShift } from '@trygg/devices';
import { serve } from '../serve.js';

const sites: FastifyPluginAsyncTypebox<{ pool: Pool }> = async (app, { pool }) => {
  serve(app, API.listSites, { action: 'site:read' }, async (req) => ({ sites: await listSites(pool, req.query) }));

  serve(app, API.createSite, { action: 'site:write' }, async (req) => {
    const site = await createSite(pool, req.body);
    req.log.info({ site: site.id, kind: site.kind, by: req.principal?.userId }, 'site added');
    return site;
  });

  serve(app, API.listStaff, { action: 'staff:read' }, async (req) => ({ staff: await listStaff(pool, req.query) }));

  serve(app, API.createStaff, { action: 'staff:write' }, async (req) => {
    const made = await createStaff(pool, req.body);
    req.log.info({ user: made.staff.id, roles: made.staff.roles, by: req.principal?.userId }, 'user added');
    return made;
  });

  serve(app, API.listShifts, { action: 'staff:read' }, async (req) => ({ shifts: await listShifts(pool, req.query) }));

  serve(app, API.addShift, { action: 'staff:write' }, async (req) => addShift(pool, req.body));

  serve(app, API.deleteShift, { action: 'staff:write' }, async (req) => {
    await removeShift(pool, req.params.id);
    return { deleted: req.params.id };
  });
};
export default sites;
