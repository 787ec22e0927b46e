/**
 * Installations and verified tests: install a device at a resident or room, start its test
 * (the device must send a test event within 10 minutes), swap a faulty device keeping the
 * installation's settings. Test results also go live to technicians over socket.io.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { API, type InstallationTest, type Pool } from '@trygg/alarm-core';
import { getTest, install, listInstallations, listTests, startTest, swapDevice } from '@trygg/devices';
import { serve } from '../serve.js';
import { userIdOf } from './actor.js';

export interface InstallationRouteOptions {
  pool: Pool;
  /** Tells technicians' screens about a started test. */
  onTest: (test: InstallationTest) => void;
  /** Seconds a device has to send its test event. */
  testWindowS: number;
}

const installations: FastifyPluginAsyncTypebox<InstallationRouteOptions> = async (app, { pool, onTest, testWindowS }) => {
  serve(app, API.createInstallation, { action: 'installation:write' }, async (req) => {
    const inst = await install(pool, req.body, userIdOf(req));
    req.log.info({ installation: inst.id, device: inst.deviceId, by: req.principal?.userId }, 'device installed');
    return inst;
  });

  serve(app, API.listInstallations, { action: 'device:read' }, async (req) => {
    const { current, ...f } = req.query;
    return { installations: await listInstallations(pool, { ...f, current: current !== 'false' }) };
  });

  serve(app, API.swapDevice, { action: 'installation:write' }, async (req) => {
    const inst = await swapDevice(pool, req.params.id, req.body.newDeviceId, userIdOf(req));
    req.log.info(
      { old: req.params.id, new: req.body.newDeviceId, installation: inst.id, by: req.principal?.userId },
      'device swapped',
    );
    return inst;
  });

  serve(app, API.startDeviceTest, { action: 'installation:write' }, async (req) => {
    const test = await startTest(pool, req.params.id, userIdOf(req), testWindowS);
    req.log.info({ test: test.id, device: test.deviceId, deadline: test.deadline }, 'installation test started');
    onTest(test);
    return test;
  });

  serve(app, API.listDeviceTests, { action: 'device:read' }, async (req) => ({ tests: await listTests(pool, req.params.id) }));

  serve(app, API.getInstallationTest, { action: 'device:read' }, async (req) => getTest(pool, req.params.id));
};
export default installations;
