/**
 * Verified installations: a device's test event settles its running installation test at once,
 * and the technician's screen hears of it on the live channel.
 */
import { TestWatcher } from '@trygg/devices';
import { started, type Part } from './part.js';

declare module './part.js' {
  interface Parts {
    installationTests: Record<never, never>;
  }
}

export const installationTests: Part<'installationTests'> = {
  name: 'installationTests',
  start: ({ logger, get }) =>
    started(logger, async (onStop) => {
      const db = get('database');
      const { live } = get('live');
      const tests = new TestWatcher({ pool: db.pool, databaseUrl: db.url, logger, onSettled: (t) => live.publishTests(t) });
      await tests.start();
      onStop(() => tests.stop());
      return {};
    }),
};
