/**
 * Telemetry retention: a TimescaleDB policy, or an hourly delete on plain PostgreSQL (on the
 * maintenance pool, the one without a statement timeout).
 */
import { applyTelemetryRetention, hasTimescale } from '@trygg/gateway';
import { started, type Part } from './part.js';

declare module './part.js' {
  interface Parts {
    telemetryRetention: Record<never, never>;
  }
}

export const telemetryRetention: Part<'telemetryRetention'> = {
  name: 'telemetryRetention',
  start: ({ config, logger, get }) =>
    started(logger, async (onStop) => {
      const db = get('database');
      const timescale = await hasTimescale(db.pool);
      const retain = () =>
        applyTelemetryRetention(db.maintenancePool, config.telemetryRetentionS, timescale).catch((err: unknown) =>
          logger.warn({ err }, 'telemetry retention failed'),
        );
      await retain();
      if (!timescale) {
        const retention = setInterval(() => void retain(), 3600_000);
        retention.unref();
        onStop(async () => clearInterval(retention));
      }
      return {};
    }),
};
