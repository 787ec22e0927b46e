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
  /** Milliseconds to make a connection (TCP, TLS, start-up) or to wait for a free one (default 5 000). */
  connectTimeoutMs?: number;
  /**
   * Milliseconds a statement may run (default 0: no limit). PostgreSQL cancels it then
   * (`statement_timeout`, SQLSTATE 57014, the connection stays usable); should no answer come at
   * all — a hung server, a network that stopped forwarding — the client gives up
   * `QUERY_TIMEOUT_GRACE_MS` later and discards the connection.
   */
  statementTimeoutMs?: number;
}

/**
 * How much longer than `statement_timeout` the client waits for an answer: enough for the server's
 * own cancel to arrive first when the server is merely slow.
 */
export const QUERY_TIMEOUT_GRACE_MS = 2_000;

/** Opens a pool. The caller owns it and ends it in its stop(). */
export function createPool(connectionString: string, max = 10, name = 'trygg', opts: PoolOptions = {}): pg.Pool {
  // A database that stops answering must surface as errors (not-ready, no PUBACK, 503), not as
  // hangs: a bound on making a connection, and (where the caller gives one) on every statement.
  const statementMs = opts.statementTimeoutMs ?? 0;
  const pool = new pg.Pool({
    connectionString,
    max,
    application_name: name,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 5_000,
    keepAlive: true,
    idleTimeoutMillis: opts.keepIdle ? 0 : 10_000,
    ...(statementMs > 0 ? { statement_timeout: statementMs, query_timeout: statementMs + QUERY_TIMEOUT_GRACE_MS } : {}),
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
  let failed: unknown;
  try {
    await client.query(opts.opening ? `BEGIN; ${opts.opening(client)}` : 'BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    failed = err;
    await rollback(client, err);
    throw err;
  } finally {
    client.release(discard(failed));
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
  let failed: unknown;
  try {
    await Promise.all(clients.map(ready));
  } catch (err) {
    failed = err;
    throw err;
  } finally {
    for (const c of clients) c.release(discard(failed));
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
  let failed: unknown;
  try {
    await prepare(client, statements);
    return await fn(client);
  } catch (err) {
    failed = err;
    await rollback(client, err);
    throw err;
  } finally {
    client.release(discard(failed));
  }
}

/**
 * One prepared statement in a transaction of its own that commits without waiting for the WAL
 * to reach the disk (`synchronous_commit = off` for it alone), in one round trip. For writes a
 * crash may forget the last fraction of a second of, never half-write: see docs/architecture.md, "Which
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

/**
 * Node's socket errors (ECONNREFUSED, ECONNRESET, EPIPE…) and node-postgres' own: a connection
 * that could not be made in time, an answer that did not come, a connection that went away.
 */
const CLIENT_SIDE =
  /timeout exceeded when trying to connect|Connection terminated|timeout expired|Query read timeout|Client has encountered a connection error|Client was closed/;

/**
 * SQLSTATE classes where the database cannot take work now, whatever the request: 08 connection
 * exception, 53 insufficient resources (53100 disk full), 57 operator intervention (57014 a
 * statement over its timeout, 57P01–03 shutting down or starting), 58 system error (I/O).
 */
const UNAVAILABLE_CLASSES = new Set(['08', '53', '57', '58']);

/**
 * True when `err` says the database is unreachable, hung or unable to work (as opposed to a
 * request it refuses): the caller answers 503 `TRYGG_ERR_STORE_UNAVAILABLE`, a device is not
 * acknowledged and resends. A database's own message never reaches a client either way.
 */
export function isStoreUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const state = sqlState(err);
  if (state !== null) return UNAVAILABLE_CLASSES.has(state.slice(0, 2)) || state === '25006'; // 25006: a read-only server (a standby)
  const code = (err as { code?: unknown }).code;
  return (typeof code === 'string' && /^E[A-Z]+$/.test(code)) || CLIENT_SIDE.test(err.message);
}

/** The SQLSTATE of an error the server sent; null for errors raised on this side (no SQLSTATE class starts with E). */
export function sqlState(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && !code.startsWith('E') ? code : null;
}

/**
 * Whether a connection a statement failed on is closed (true) instead of going back to the pool:
 * after a client-side timeout or a broken socket it may still carry an unanswered statement, and
 * whatever runs on it next would wait behind that. An error the server answered leaves it usable.
 */
function discard(err: unknown): boolean {
  return err !== undefined && sqlState(err) === null && isStoreUnavailable(err);
}

/** Rolls back what `err` interrupted, unless the connection is to be closed (the server then rolls back). */
async function rollback(client: pg.PoolClient, err: unknown): Promise<void> {
  if (discard(err)) return;
  await client.query('ROLLBACK').catch(() => undefined);
}
