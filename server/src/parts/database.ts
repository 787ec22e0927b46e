/**
 * The database: the embedded PostgreSQL when no DATABASE_URL is set, the migrations, and the
 * pools every other part works on. Stopped last: the pools close after everything that uses them,
 * the embedded server after its pools.
 */
import { createPool, migrate, type Pool } from '@trygg/alarm-core';
import { startEmbeddedDb } from '../embedded-db.js';
import { probeDatabase } from '../store-health.js';
import { started, type Part } from './part.js';

/** Connections of the alarm path (inbox, engine, SCAIP sessions) and of its directory look-ups. */
export const ALARM_CONNECTIONS = 8;
export const DIRECTORY_CONNECTIONS = 3;

export interface Database {
  /** The URL the service connects with (the embedded server's when it runs one). */
  url: string;
  /** Whether this node runs the embedded PostgreSQL. */
  embedded: boolean;
  /** Everything else: API, journal, push, audit. */
  pool: Pool;
  /** The alarm path (inbox, engine, SCAIP sessions) that a person in need waits on. */
  alarmPool: Pool;
  /** The directory the alarm path looks people up in while it holds a connection of its own. */
  directoryPool: Pool;
  /** Device ingress that is not an alarm: telemetry batches, device sign-in. */
  ingressPool: Pool;
  /** QoS 0 telemetry, committed without waiting for the disk. */
  relaxedPool: Pool;
  /** Telemetry retention's long delete, with no statement timeout. */
  maintenancePool: Pool;
}

declare module './part.js' {
  interface Parts {
    database: Database;
  }
}

export const database: Part<'database'> = {
  name: 'database',
  start: ({ config, logger, health }) =>
    started(logger, async (onStop) => {
      let url = config.databaseUrl;
      if (!url) {
        const embedded = await startEmbeddedDb(config.dataDir, config.embeddedPgPort, logger);
        onStop(() => embedded.stop());
        url = embedded.url;
      }
      await migrate(url, (msg) => logger.debug({ migrate: msg }, 'migration'));
      // Four pools, so no kind of work can keep another waiting for a connection: the alarm path
      // (inbox, engine) that a person in need waits on; the directory it looks people up in while
      // it holds a connection of its own; device ingress that is not an alarm (telemetry batches,
      // device sign-in); and everything else (API, journal, push, audit).
      // Every pool bounds connecting and every statement (a hung database must surface as errors:
      // 503, no PUBACK, not ready), except the one telemetry retention's long delete runs on.
      const bounded = { connectTimeoutMs: config.dbConnectTimeoutMs, statementTimeoutMs: config.dbStatementTimeoutMs };
      const pool = createPool(url, 10, 'trygg', bounded);
      onStop(() => pool.end());
      const alarmPool = createPool(url, ALARM_CONNECTIONS, 'trygg-alarms', { ...bounded, keepIdle: true });
      onStop(() => alarmPool.end());
      const directoryPool = createPool(url, DIRECTORY_CONNECTIONS, 'trygg-directory', { ...bounded, keepIdle: true });
      onStop(() => directoryPool.end());
      const ingressPool = createPool(url, 4, 'trygg-ingress', bounded);
      onStop(() => ingressPool.end());
      // QoS 0 telemetry: committed without waiting for the disk (nobody waits on its acknowledgement).
      const relaxedPool = createPool(url, 2, 'trygg-telemetry-qos0', { ...bounded, relaxedCommit: true });
      onStop(() => relaxedPool.end());
      const maintenancePool = createPool(url, 1, 'trygg-maintenance', { connectTimeoutMs: config.dbConnectTimeoutMs });
      onStop(() => maintenancePool.end());
      // Fatal: without the database no event is stored, so the node cannot take alarms.
      health.register({
        name: 'database',
        fatal: true,
        check: async () =>
          (await probeDatabase(alarmPool))
            ? { state: 'ok', detail: 'answers and takes writes' }
            : { state: 'down', detail: 'answers, but does not take writes (a standby, or read-only)' },
      });
      return {
        url,
        embedded: !config.databaseUrl,
        pool,
        alarmPool,
        directoryPool,
        ingressPool,
        relaxedPool,
        maintenancePool,
      };
    }),
};
