/**
 * The journal backlog alert: an entry undelivered for too long is an error an administrator must
 * see, on the live dashboard and on their phones. Runs with or without a journal configured.
 */
import { JournalWatch } from '@trygg/alarm-core';
import { journalCheck } from '../health/journal-health.js';
import { started, type Part } from './part.js';

declare module './part.js' {
  interface Parts {
    journalWatch: Record<never, never>;
  }
}

export const journalWatch: Part<'journalWatch'> = {
  name: 'journalWatch',
  start: ({ config, logger, options, get, find, health }) =>
    started(logger, async (onStop) => {
      if (!find('journal')) {
        logger.warn('no TRYGG_JOURNAL_URL: closed alarms wait in the journal outbox until a journal is configured');
      }
      const { pool } = get('database');
      const { live } = get('live');
      const { webPush } = get('push');
      const watch = new JournalWatch({
        pool,
        logger,
        alertAfterS: config.journalAlertAfterS,
        onChange: (state) => {
          live.publishJournalBacklog(state);
          // Also to administrators' phones: the banner only reaches someone who has the page open.
          webPush.notifyJournalBacklog(state).catch((err: unknown) => logger.warn({ err }, 'journal backlog push failed'));
        },
        everyMs: options.journal?.watchMs,
      });
      watch.start();
      // Not fatal: alarms are handled while the journal is away, and nothing waiting is lost.
      health.register({ name: 'journal', check: journalCheck(pool, config.journalAlertAfterS, find('journal')?.reach ?? null) });
      onStop(async () => watch.stop());
      return {};
    }),
};
