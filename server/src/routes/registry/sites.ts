/** Sites (homes; institution → building → floor → room), staff accounts and their shifts. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { Id, SITE_KINDS, Shift, ShiftInput, Site, SiteInput, Staff, StaffInput, type Pool } from '@trygg/alarm-core';
import { addShift, createSite, createStaff, listShifts, listSites, listStaff, removeShift } from '@trygg/devices';
import { errors } from './errors.js';

const tags = ['registry'];

const sites: FastifyPluginAsyncTypebox<{ pool: Pool }> = async (app, { pool }) => {
  app.get(
    '/api/sites',
    {
      config: { action: 'site:read' },
      schema: {
        tags,
        querystring: Type.Object(
          { under: Type.Optional(Id), kind: Type.Optional(Type.Enum(SITE_KINDS)) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ sites: Type.Array(Site) }), ...errors },
      },
    },
    async (req) => ({ sites: await listSites(pool, req.query) }),
  );

  app.post(
    '/api/sites',
    { config: { action: 'site:write' }, schema: { tags, body: SiteInput, response: { 201: Site, ...errors } } },
    async (req, reply) => {
      const site = await createSite(pool, req.body);
      req.log.info({ site: site.id, kind: site.kind, by: req.principal?.userId }, 'site added');
      return reply.status(201).send(site);
    },
  );

  app.get(
    '/api/staff',
    {
      config: { action: 'staff:read' },
      schema: {
        tags,
        querystring: Type.Object({ role: Type.Optional(Type.String({ maxLength: 32 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ staff: Type.Array(Staff) }), ...errors },
      },
    },
    async (req) => ({ staff: await listStaff(pool, req.query) }),
  );

  app.post(
    '/api/staff',
    {
      config: { action: 'staff:write' },
      schema: {
        tags,
        body: StaffInput,
        response: { 201: Type.Object({ staff: Staff, password: Type.Union([Type.String(), Type.Null()]) }), ...errors },
      },
    },
    async (req, reply) => {
      const made = await createStaff(pool, req.body);
      req.log.info({ user: made.staff.id, roles: made.staff.roles, by: req.principal?.userId }, 'user added');
      return reply.status(201).send(made);
    },
  );

  app.get(
    '/api/shifts',
    {
      config: { action: 'staff:read' },
      schema: {
        tags,
        querystring: Type.Object({ siteId: Type.Optional(Id), userId: Type.Optional(Id) }, { additionalProperties: false }),
        response: { 200: Type.Object({ shifts: Type.Array(Shift) }), ...errors },
      },
    },
    async (req) => ({ shifts: await listShifts(pool, req.query) }),
  );

  app.post(
    '/api/shifts',
    { config: { action: 'staff:write' }, schema: { tags, body: ShiftInput, response: { 201: Shift, ...errors } } },
    async (req, reply) => reply.status(201).send(await addShift(pool, req.body)),
  );

  app.delete(
    '/api/shifts/:id',
    {
      config: { action: 'staff:write' },
      schema: {
        tags,
        params: Type.Object({ id: Type.String({ maxLength: 20 }) }),
        response: { 200: Type.Object({ deleted: Type.String() }), ...errors },
      },
    },
    async (req) => {
      await removeShift(pool, req.params.id);
      return { deleted: req.params.id };
    },
  );
};
export default sites;
