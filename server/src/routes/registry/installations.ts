/**
 * Installations and verified tests: install a device at a resident or room, start its test
 * (the device must send a test event within 10 minutes), swap a faulty device keeping the
 * installation's settings. Test results also go live to technicians over socket.io.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { Id, Installation, InstallationInput, InstallationTest, type Pool } from '@trygg/alarm-core';
import { getTest, install, listInstallations, listTests, startTest, swapDevice } from '@trygg/devices';
import { userIdOf } from './actor.js';
import { errors } from './errors.js';

const tags = ['installations'];
const Params = Type.Object({ id: Id });

export interface InstallationRouteOptions {
  pool: Pool;
  /** Tells technicians' screens about a started test. */
  onTest: (test: InstallationTest) => void;
  /** Seconds a device has to send its test event. */
  testWindowS: number;
}

const installations: FastifyPluginAsyncTypebox<InstallationRouteOptions> = async (app, { pool, onTest, testWindowS }) => {
  app.post(
    '/api/installations',
    {
      config: { action: 'installation:write' },
      schema: { tags, body: InstallationInput, response: { 201: Installation, ...errors } },
    },
    async (req, reply) => {
      const inst = await install(pool, req.body, userIdOf(req));
      req.log.info({ installation: inst.id, device: inst.deviceId, by: req.principal?.userId }, 'device installed');
      return reply.status(201).send(inst);
    },
  );

  app.get(
    '/api/installations',
    {
      config: { action: 'device:read' },
      schema: {
        tags,
        querystring: Type.Object(
          {
            residentId: Type.Optional(Id),
            siteId: Type.Optional(Id),
            deviceId: Type.Optional(Id),
            current: Type.Optional(Type.Enum(['true', 'false'])),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ installations: Type.Array(Installation) }), ...errors },
      },
    },
    async (req) => {
      const { current, ...f } = req.query;
      return { installations: await listInstallations(pool, { ...f, current: current !== 'false' }) };
    },
  );

  app.post(
    '/api/devices/:id/swap',
    {
      config: { action: 'installation:write' },
      schema: {
        tags,
        params: Params,
        body: Type.Object({ newDeviceId: Id }, { additionalProperties: false }),
        response: { 200: Installation, ...errors },
      },
    },
    async (req) => {
      const inst = await swapDevice(pool, req.params.id, req.body.newDeviceId, userIdOf(req));
      req.log.info(
        { old: req.params.id, new: req.body.newDeviceId, installation: inst.id, by: req.principal?.userId },
        'device swapped',
      );
      return inst;
    },
  );

  app.post(
    '/api/devices/:id/tests',
    {
      config: { action: 'installation:write' },
      schema: { tags, params: Params, response: { 201: InstallationTest, ...errors } },
    },
    async (req, reply) => {
      const test = await startTest(pool, req.params.id, userIdOf(req), testWindowS);
      req.log.info({ test: test.id, device: test.deviceId, deadline: test.deadline }, 'installation test started');
      onTest(test);
      return reply.status(201).send(test);
    },
  );

  app.get(
    '/api/devices/:id/tests',
    {
      config: { action: 'device:read' },
      schema: { tags, params: Params, response: { 200: Type.Object({ tests: Type.Array(InstallationTest) }), ...errors } },
    },
    async (req) => ({ tests: await listTests(pool, req.params.id) }),
  );

  app.get(
    '/api/installation-tests/:id',
    { config: { action: 'device:read' }, schema: { tags, params: Params, response: { 200: InstallationTest, ...errors } } },
    async (req) => getTest(pool, req.params.id),
  );
};
export default installations;
