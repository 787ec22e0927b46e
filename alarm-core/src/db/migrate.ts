/**
 * Schema migrations with node-pg-migrate, from plain SQL files in alarm-core/migrations.
 * Runs under an advisory lock, so several nodes starting at once migrate once.
 */
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));

/** Brings the database named by `databaseUrl` up to the newest schema. */
export async function migrate(databaseUrl: string, log: (msg: string) => void = () => undefined): Promise<void> {
  await runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    direction: 'up',
    migrationsTable: 'pgmigrations',
    count: Infinity,
    log,
    verbose: false,
    checkOrder: true,
  });
}
