/** PostgreSQL access: one pool per process and a transaction helper. */
import { createRequire } from 'node:module';
import pg from 'pg';

/** node-postgres' own conversion of a JavaScript value to a parameter's text (public as `pg/lib/*`, untyped). */
const pgUtils = createRequire(import.meta.url)('pg/lib/utils.js') as { prepareValue(value: unknown): string | Buffer | null };

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;
export type Queryable = Pick<pg.Pool, 'query'>;

export interface PoolOptions {
  /**
   * Keep connections open however long they sit idle (default: closed after 10 s idle). For the
   * alarm path: at three in the morning, after an hour without alarms, the next one must not
   * wait for a connection to be made and its statements prepared again.
   */
  keepIdle?: boolean;
  /**
   * Commit without waiting for the WAL to reach the disk (`synchronous_commit = off` on every
   * connection). Only for writes nobody is waiting on an acknowledgement of (QoS 0 telemetry):
   * a database crash may forget their last fraction of a second, never make them half-written.
   */
  relaxedCommit?: boolean;
}

/** Opens a pool. The caller owns it and ends it in its stop(). */
export function createPool(connectionString: string, max = 10, name = 'trygg', opts: PoolOptions = {}): pg.Pool {
  // A database that stops answering must surface as errors (not-ready, no PUBACK), not as hangs.
  const pool = new pg.Pool({
    connectionString,
    max,
    application_name: name,
    connectionTimeoutMillis: 5_000,
    keepAlive: true,
    idleTimeoutMillis: opts.keepIdle ? 0 : 10_000,
    ...(opts.relaxedCommit ? { options: '-c synchronous_commit=off' } : {}),
  });
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

/**
 * A statement prepared once per connection with SQL `PREPARE` and run with `EXECUTE`, its values
 * written as literals. Unlike the extended protocol's parameters, that text can travel in one
 * simple query beside others (BEGIN and a lock, several writes, COMMIT), so a transaction needs
 * fewer round trips and still runs on a cached plan. Values are converted exactly as node-postgres
 * converts parameters, then quoted, never spliced in raw.
 */
export interface Prepared {
  /** An SQL identifier, distinct from every extended-protocol statement name (they share a namespace). */
  name: string;
  text: string;
}

const preparedOn = new WeakMap<pg.PoolClient, Set<string>>();

/** Prepares what this connection has not prepared yet (once per connection, one round trip each). */
export async function prepare(client: pg.PoolClient, statements: readonly Prepared[]): Promise<void> {
  let done = preparedOn.get(client);
  if (!done) preparedOn.set(client, (done = new Set()));
  for (const s of statements) {
    if (done.has(s.name)) continue;
    try {
      await client.query(`PREPARE ${s.name} AS ${s.text}`);
    } catch (err) {
      if ((err as { code?: string }).code !== '42P05') throw err; // duplicate_prepared_statement: it is there
    }
    done.add(s.name);
  }
}

/**
 * Opens `connections` connections of the pool at once and runs `ready` on each (prepares its
 * statements), then returns them to the pool: the first requests after a start find them made.
 */
export async function warmPool(
  pool: pg.Pool,
  connections: number,
  ready: (client: pg.PoolClient) => Promise<unknown> = async () => undefined,
): Promise<void> {
  const clients = await Promise.all(Array.from({ length: connections }, () => pool.connect()));
  try {
    await Promise.all(clients.map(ready));
  } finally {
    for (const c of clients) c.release();
  }
}

/** `EXECUTE name(literal, …)` for a statement `prepare` has prepared on this connection. */
export function execute(s: Prepared, values: readonly unknown[]): string {
  return values.length > 0 ? `EXECUTE ${s.name}(${values.map(literal).join(', ')})` : `EXECUTE ${s.name}`;
}

/** A value as an SQL literal of unknown type (the context gives it its type), or NULL. */
export function literal(value: unknown): string {
  const text = pgUtils.prepareValue(value);
  return text === null ? 'NULL' : pg.escapeLiteral(text.toString());
}

/**
 * Runs `fn` on a connection of the pool with `statements` prepared on it. `fn` sends its own
 * BEGIN and COMMIT (with other statements, to save round trips); should it throw, whatever
 * transaction it left open is rolled back before the connection goes back to the pool.
 */
export async function onConnection<T>(
  pool: pg.Pool,
  statements: readonly Prepared[],
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await prepare(client, statements);
    return await fn(client);
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/**
 * One prepared statement in a transaction of its own that commits without waiting for the WAL
 * to reach the disk (`synchronous_commit = off` for it alone), in one round trip. For writes a
 * crash may forget the last fraction of a second of, never half-write: see README, "Which
 * commits wait for the disk".
 */
export async function commitRelaxed(pool: pg.Pool, statement: Prepared, values: readonly unknown[]): Promise<pg.QueryResult> {
  const out = await onConnection(pool, [statement], (client) =>
    send(client, ['BEGIN', 'SET LOCAL synchronous_commit TO off', execute(statement, values), 'COMMIT']),
  );
  return out[2] as pg.QueryResult;
}

/** Sends statements as one simple query (one round trip); a result per statement. */
export async function send(client: pg.PoolClient, statements: readonly string[]): Promise<pg.QueryResult[]> {
  const r = (await client.query(statements.join(';\n'))) as pg.QueryResult | pg.QueryResult[];
  return Array.isArray(r) ? r : [r];
}
