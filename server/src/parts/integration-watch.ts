/**
 * The integrations' health, watched: every `healthWatchS` the registry is read (the same answers
 * `/readyz` gives), a change of state is a log line (a warning when one leaves `ok`, info when it
 * is back), and the operator page hears of it live (`integrations:health`), so a centre sees
 * "Journal: not reachable since 02:14; 37 records waiting" without anyone reading logs.
 */
import type { IntegrationHealth } from '@trygg/alarm-core';
import { started, type Part } from './part.js';

declare module './part.js' {
  interface Parts {
    integrationWatch: Record<never, never>;
  }
}

/** What a change is: another state, or (while not ok) another count waiting or failing. */
function key(list: readonly IntegrationHealth[]): string {
  return JSON.stringify(
    list.map((i) => [i.name, i.state, i.state === 'ok' ? null : [i.since, i.waiting ?? null, i.recentFailures ?? null]]),
  );
}

export const integrationWatch: Part<'integrationWatch'> = {
  name: 'integrationWatch',
  start: ({ config, logger, get, health }) =>
    started(logger, async (onStop) => {
      const { live } = get('live');
      let last: IntegrationHealth[] = [];
      let lastKey = '';
      const look = async () => {
        const now = await health.snapshot();
        for (const i of now) {
          const before = last.find((b) => b.name === i.name)?.state;
          if (before === i.state || (before === undefined && (i.state === 'ok' || i.state === 'not-configured'))) continue;
          if (i.state === 'ok' || i.state === 'not-configured')
            logger.info({ integration: i }, `integration ${i.name} is ${i.state}`);
          else logger.warn({ integration: i }, `integration ${i.name} is ${i.state}: ${i.detail}`);
        }
        last = now;
        const k = key(now);
        if (k !== lastKey) {
          lastKey = k;
          live.publishIntegrations({ integrations: now });
        }
      };
      await look();
      let running: Promise<void> | null = null;
      const timer = setInterval(() => {
        running ??= look()
          .catch((err: unknown) => logger.warn({ err }, 'integration health look failed'))
          .finally(() => (running = null));
      }, config.healthWatchS * 1000);
      timer.unref();
      onStop(async () => {
        clearInterval(timer);
        await running;
      });
      return {};
    }),
};
