/** The registry's REST routes. */
import type { FastifyPluginAsync } from 'fastify';
import type { InstallationTest, Pool } from '@trygg/alarm-core';
import devices from './devices.js';
import importRoutes from './import.js';
import installations from './installations.js';
import residents from './residents.js';
import sites from './sites.js';

export interface RegistryRouteOptions {
  pool: Pool;
  onTest: (test: InstallationTest) => void;
  testWindowS: number;
  disconnect: (deviceId: string) => void;
  sipRealm: string;
}

const registry: FastifyPluginAsync<RegistryRouteOptions> = async (app, opts) => {
  await app.register(residents, { pool: opts.pool });
  await app.register(sites, { pool: opts.pool });
  await app.register(devices, { pool: opts.pool, disconnect: opts.disconnect, sipRealm: opts.sipRealm });
  await app.register(installations, opts);
  await app.register(importRoutes, { pool: opts.pool });
};
export default registry;
