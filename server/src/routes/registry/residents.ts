/** Residents and their relatives: personal data, every read and change audited (plugins/audit.ts). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import {
  Id,
  Installation,
  Relative,
  RelativeInput,
  RelativeUpdate,
  Resident,
  ResidentInput,
  ResidentUpdate,
  type Pool,
} from '@trygg/alarm-core';
import {
  addRelative,
  createResident,
  getRelative,
  getResident,
  listInstallations,
  listRelatives,
  listResidents,
  removeRelative,
  setResidentConsent,
  updateRelative,
  updateResident,
} from '@trygg/devices';
import { residentView } from '../../auth/policy.js';
import { hasBrokenGlass } from '../break-glass.js';
import { actorOf } from './actor.js';
import { errors } from './errors.js';

const tags = ['registry'];

const residents: FastifyPluginAsyncTypebox<{ pool: Pool }> = async (app, { pool }) => {
  app.get(
    '/api/residents',
    {
      config: { action: 'resident:read', audit: { entity: 'resident', subtype: 'search' } },
      schema: {
        tags,
        querystring: Type.Object(
          { siteId: Type.Optional(Id), q: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ residents: Type.Array(Resident) }), ...errors },
      },
    },
    async (req) => {
      const list = await listResidents(pool, req.query);
      req.audit.patients(list.map((r) => r.id));
      const reader = req.principal!;
      return { residents: list.map((r) => residentView(reader, r)) };
    },
  );

  app.post(
    '/api/residents',
    {
      config: { action: 'resident:write', audit: { entity: 'resident', subtype: 'create' } },
      schema: { tags, body: ResidentInput, response: { 201: Resident, ...errors } },
    },
    async (req, reply) => {
      const resident = await createResident(pool, req.body, actorOf(req));
      req.audit.patients([resident.id]);
      req.audit.entity(resident.id);
      req.log.info({ resident: resident.id, by: req.principal?.userId }, 'resident added');
      return reply.status(201).send(resident);
    },
  );

  app.get(
    '/api/residents/:id',
    {
      config: { action: 'resident:read', audit: { entity: 'resident', subtype: 'read' } },
      schema: {
        tags,
        params: Type.Object({ id: Id }),
        response: {
          200: Type.Object({ resident: Resident, relatives: Type.Array(Relative), installations: Type.Array(Installation) }),
          ...errors,
        },
      },
    },
    async (req) => {
      const resident = await getResident(pool, req.params.id);
      const [relatives, installations] = await Promise.all([
        listRelatives(pool, resident.id),
        listInstallations(pool, { residentId: resident.id }),
      ]);
      req.audit.patients([resident.id]);
      const reader = req.principal!;
      const brokenGlass = reader.kind !== 'client' && (await hasBrokenGlass(pool, reader.userId, resident.id));
      if (brokenGlass) req.audit.purpose('ETREAT');
      return { resident: residentView(reader, resident, { brokenGlass }), relatives, installations };
    },
  );

  app.put(
    '/api/residents/:id/consent',
    {
      config: { action: 'resident:write', audit: { entity: 'resident', subtype: 'update' } },
      schema: {
        tags,
        params: Type.Object({ id: Id }),
        body: Type.Object({ consent: Type.Boolean() }, { additionalProperties: false }),
        response: { 200: Resident, ...errors },
      },
    },
    async (req) => {
      const resident = await setResidentConsent(pool, req.params.id, req.body.consent, actorOf(req));
      req.audit.patients([resident.id]);
      req.log.info({ resident: resident.id, consent: req.body.consent, by: req.principal?.userId }, 'resident consent recorded');
      return resident;
    },
  );

  app.post(
    '/api/relatives',
    {
      config: { action: 'relative:write', audit: { entity: 'relative', subtype: 'create' } },
      schema: { tags, body: RelativeInput, response: { 201: Relative, ...errors } },
    },
    async (req, reply) => {
      const relative = await addRelative(pool, req.body, actorOf(req));
      req.audit.patients([relative.residentId]);
      req.audit.entity(relative.id);
      req.log.info({ relative: relative.id, resident: relative.residentId, by: req.principal?.userId }, 'relative added');
      return reply.status(201).send(relative);
    },
  );

  app.get(
    '/api/relatives/:id',
    {
      config: { action: 'resident:read', audit: { entity: 'relative', subtype: 'read' } },
      schema: { tags, params: Type.Object({ id: Id }), response: { 200: Relative, ...errors } },
    },
    async (req) => {
      const relative = await getRelative(pool, req.params.id);
      req.audit.patients([relative.residentId]);
      return relative;
    },
  );

  app.patch(
    '/api/residents/:id',
    {
      config: { action: 'resident:write', audit: { entity: 'resident', subtype: 'update' } },
      schema: { tags, params: Type.Object({ id: Id }), body: ResidentUpdate, response: { 200: Resident, ...errors } },
    },
    async (req) => {
      const resident = await updateResident(pool, req.params.id, req.body);
      req.audit.patients([resident.id]);
      req.log.info({ resident: resident.id, fields: Object.keys(req.body), by: req.principal?.userId }, 'resident changed');
      return resident;
    },
  );

  app.patch(
    '/api/relatives/:id',
    {
      config: { action: 'relative:write', audit: { entity: 'relative', subtype: 'update' } },
      schema: { tags, params: Type.Object({ id: Id }), body: RelativeUpdate, response: { 200: Relative, ...errors } },
    },
    async (req) => {
      const relative = await updateRelative(pool, req.params.id, req.body, actorOf(req));
      req.audit.patients([relative.residentId]);
      req.log.info({ relative: relative.id, fields: Object.keys(req.body), by: req.principal?.userId }, 'relative changed');
      return relative;
    },
  );

  app.delete(
    '/api/relatives/:id',
    {
      config: { action: 'relative:write', audit: { entity: 'relative', subtype: 'delete' } },
      schema: { tags, params: Type.Object({ id: Id }), response: { 200: Type.Object({ deleted: Type.String() }), ...errors } },
    },
    async (req) => {
      req.audit.patients([(await getRelative(pool, req.params.id)).residentId]);
      await removeRelative(pool, req.params.id);
      req.log.info({ relative: req.params.id, by: req.principal?.userId }, 'relative removed');
      return { deleted: req.params.id };
    },
  );
};
export default residents;
