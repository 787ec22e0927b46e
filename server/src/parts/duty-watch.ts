/**
 * Responders on duty (duty-watch.ts): counted every `dutyCheckS`; a gap goes live to the leader
 * (administrators, who have no leader flag of their own in Trygg: the administrator role is the
 * one that runs the centre) and into the log.
 */
import { floorsOnDuty } from '@trygg/devices';
import { DutyWatch } from '../duty-watch.js';
import { started, type Part } from './part.js';

declare module './part.js' {
  interface Parts {
    dutyWatch: Record<never, never>;
  }
}

export const dutyWatch: Part<'dutyWatch'> = {
  name: 'dutyWatch',
  start: ({ config, logger, get }) =>
    started(logger, async (onStop) => {
      const { pool } = get('database');
      const { live } = get('live');
      const watch = new DutyWatch({
        operatorsOnline: async () => (await live.operatorsOnline((p) => p.roles.includes('operator'))).size,
        floors: () => floorsOnDuty(pool),
        minOperators: config.dutyMinOperators,
        graceMs: config.dutyGraceS * 1000,
        everyMs: config.dutyCheckS * 1000,
        onChange: (state) => live.publishDuty(state),
        logger,
      });
      watch.start();
      onStop(() => watch.stop());
      return {};
    }),
};
