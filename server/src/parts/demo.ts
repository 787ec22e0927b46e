/**
 * The demo municipality: seeded into an empty database when the node runs the embedded
 * PostgreSQL (`npm start` on a bare machine) or the config asks for it (TRYGG_DEMO).
 */
import { isEmpty, seedDemo } from '@trygg/devices';
import { started, type Part } from './part.js';

export interface Demo {
  /** Path of demo.json (logins and device secrets) when the demo was seeded on this start. */
  file: string | null;
}

declare module './part.js' {
  interface Parts {
    demo: Demo;
  }
}

export const demo: Part<'demo'> = {
  name: 'demo',
  // No DATABASE_URL: the embedded PostgreSQL (database.ts).
  enabled: (config) => !config.databaseUrl || config.demo,
  start: (ctx) =>
    started(ctx.logger, async () => {
      const { pool } = ctx.get('database');
      if (!(await isEmpty(pool))) return { file: null };
      const { file } = await seedDemo(pool, ctx.config.dataDir, { sipRealm: ctx.config.sipRealm });
      ctx.logger.info({ file }, `demo municipality seeded; logins and device secrets are in ${file}`);
      return { file };
    }),
};
