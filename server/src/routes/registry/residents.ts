/** Residents and their relatives: personal data, every read and change audited (plugins/audit.ts). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { API, type Pool } from '@trygg/alarm-core';
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
import { serve } from '../serve.js';
import { actorOf } from './actor.js';

const residents: FastifyPluginAsyncTypebox<{ pool: Pool }> = async (app, { pool }) => {
  serve(app, API.listResidents, { action: 'resident:read', audit: { entity: 'resident', subtype: 'search' } }, async (req) => {
    const list = await listResidents(pool, req.query);
    req.audit.patients(list.map((r) => r.id));
    const reader = req.principal!;
    return { residents: list.map((r) => residentView(reader, r)) };
  });

  serve(app, API.createResident, { action: 'resident:write', audit: { entity: 'resident', subtype: 'create' } }, async (req) => {
    const resident = await createResident(pool, req.body, actorOf(req));
    req.audit.patients([resident.id]);
    req.audit.entity(resident.id);
    req.log.info({ resident: resident.id, by: req.principal?.userId }, 'resident added');
    return resident;
  });

  serve(app, API.getResident, { action: 'resident:read', audit: { entity: 'resident', subtype: 'read' } }, async (req) => {
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
  });

  serve(
    app,
    API.setResidentConsent,
    { action: 'resident:write', audit: { entity: 'resident', subtype: 'update' } },
    async (req) => {
      const resident = await setResidentConsent(pool, req.params.id, req.body.consent, actorOf(req));
      req.audit.patients([resident.id]);
      req.log.info({ resident: resident.id, consent: req.body.consent, by: req.principal?.userId }, 'resident consent recorded');
      return resident;
    },
  );

  serve(app, API.createRelative, { action: 'relative:write', audit: { entity: 'relative', subtype: 'create' } }, async (req) => {
    const relative = await addRelative(pool, req.body, actorOf(req));
    req.audit.patients([relative.residentId]);
    req.audit.entity(relative.id);
    req.log.info({ relative: relative.id, resident: relative.residentId, by: req.principal?.userId }, 'relative added');
    return relative;
  });

  serve(app, API.getRelative, { action: 'resident:read', audit: { entity: 'relative', subtype: 'read' } }, async (req) => {
    const relative = await getRelative(pool, req.params.id);
    req.audit.patients([relative.residentId]);
    return relative;
  });

  serve(app, API.updateResident, { action: 'resident:write', audit: { entity: 'resident', subtype: 'update' } }, async (req) => {
    const resident = await updateResident(pool, req.params.id, req.body);
    req.audit.patients([resident.id]);
    req.log.info({ resident: resident.id, fields: Object.keys(req.body), by: req.principal?.userId }, 'resident changed');
    return resident;
  });

  serve(app, API.updateRelative, { action: 'relative:write', audit: { entity: 'relative', subtype: 'update' } }, async (req) => {
    const relative = await updateRelative(pool, req.params.id, req.body, actorOf(req));
    req.audit.patients([relative.residentId]);
    req.log.info({ relative: relative.id, fields: Object.keys(req.body), by: req.principal?.userId }, 'relative changed');
    return relative;
  });

  serve(app, API.deleteRelative, { action: 'relative:write', audit: { entity: 'relative', subtype: 'delete' } }, async (req) => {
    req.audit.patients([(await getRelative(pool, req.params.id)).residentId]);
    await removeRelative(pool, req.params.id);
    req.log.info({ relative: req.params.id, by: req.principal?.userId }, 'relative removed');
    return { deleted: req.params.id };
  });
};
export default residents;
