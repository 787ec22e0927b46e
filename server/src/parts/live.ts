/**
 * The live channel (socket.io): alarms, tests, sessions and alerts pushed to the dashboard as
 * they happen. It is attached to the HTTP server and closed with it (web.ts), first on stop, so
 * browsers are let go before the rest winds down.
 */
import { listOpenAlarms, timelineHead, updatesAfter } from '@trygg/alarm-core';
import { LiveServer } from '@trygg/dashboard';
import { can } from '../auth/policy.js';
import { started, type Part } from './part.js';

export interface Live {
  live: LiveServer;
}

declare module './part.js' {
  interface Parts {
    live: Live;
  }
}

export const live: Part<'live'> = {
  name: 'live',
  start: ({ config, logger, get, find }) =>
    started(logger, async () => {
      const { pool } = get('database');
      const { verifier } = get('identity');
      const adapter = find('liveRedis')?.adapter;
      const live = new LiveServer({
        ...(adapter ? { adapter } : {}),
        verify: (t) => verifier.verify(t),
        stillValid: (t) => verifier.stillValid(t),
        recheckEveryMs: config.sessionCheckS * 1000,
        mayWatchOperators: (p) => can(p, 'live:operators'),
        mayWatchTechnicians: (p) => can(p, 'live:technicians'),
        mayWatchOwn: (p) => can(p, 'live:own'),
        mayAdminister: (p) => can(p, 'journal:admin'),
        updatesAfter: (after, limit) => updatesAfter(pool, after, limit),
        snapshot: async () => {
          const head = await timelineHead(pool);
          return { head, alarms: await listOpenAlarms(pool) };
        },
        signInTimeoutMs: config.httpHeadersTimeoutS * 1000,
        logger,
      });
      return { live };
    }),
};
