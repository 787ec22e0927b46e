/** PostgreSQL access: one pool per process and a transaction helper. */
import pg from 'pg';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;
export type Queryable = Pick<pg.Pool, 'query'>;

/** Opens a pool. The caller owns it and ends it in its stop(). */
export function createPool(connectionString: string, max = 10, name = 'trygg'): pg.Pool {
  // A database that stops answering must surface as errors (not-ready, no PUBACK), not as hangs.
  const pool = new pg.Pool({ connectionString, max, application_name: name, connectionTimeoutMillis: 5_000, keepAlive: true });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  // A checked-out client losing its connection fails its query; without a listener its 'error'
  // event would also crash the process (pg-pool listens only while a client is idle).
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

export interface TransactionOptions {
  /**
   * A statement sent together with BEGIN, in the same round trip (the simple query protocol, so
   * it takes no parameters: quote values with `client.escapeLiteral`). For a lock every
   * transaction of its kind takes first.
   */
  opening?: (client: pg.PoolClient) => string;
}

/** Runs `fn` in a transaction; commits if it resolves, rolls back if it throws. */
export async function withTransaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
  opts: TransactionOptions = {},
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query(opts.opening ? `BEGIN; ${opts.opening(client)}` : 'BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
