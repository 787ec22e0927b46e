/**
 * `trygg`: the administrator's and scripts' command line. Talks to the database named by
 * DATABASE_URL directly (migrating it first), prints JSON on stdout; errors are envelopes
 * `{ status: "error", code, message }` on stderr with exit code 1 (2 for a usage mistake).
 *
 *   trygg device register --serial TL-1 --kind alarm-button --protocol mqtt
 *   trygg device list [--attention]      trygg device revoke <device id>
 *   trygg resident add --name … --site …  trygg resident list
 *   trygg relative add --resident … --name … [--not-at-night]
 *   trygg user add --username … --name … --role technician
 *   trygg import residents|devices <file> [--dry-run]
 */
import { parseArgs } from 'node:util';
import { createPool, errorEnvelope, migrate, TryggError } from '@trygg/alarm-core';
import { loadConfig } from '../config.js';
import { COMMANDS } from './commands.js';

function usage(): string {
  return [
    'usage: trygg <command> [options]',
    '',
    ...Object.entries(COMMANDS).map(([name, c]) => `  trygg ${name.padEnd(16)} ${c.help}`),
  ].join('\n');
}

/** Runs one invocation; returns the exit code. Output goes to the given writers (tests). */
export async function runCli(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  out: (s: string) => void,
  err: (s: string) => void,
): Promise<number> {
  const [a, b] = argv;
  const name = a && b && COMMANDS[`${a} ${b}`] ? `${a} ${b}` : a && COMMANDS[a] ? a : null;
  if (!name || argv.includes('--help')) {
    (name ? out : err)(usage() + '\n');
    return name ? 0 : 2;
  }
  const cmd = COMMANDS[name];
  if (!cmd) return 2;
  let parsed;
  try {
    parsed = parseArgs({
      args: argv.slice(name.split(' ').length),
      options: cmd.options,
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    err(
      JSON.stringify({ status: 'error', code: 'TRYGG_ERR_VALIDATION', message: e instanceof Error ? e.message : String(e) }) +
        '\n',
    );
    return 2;
  }
  let url: string | null;
  try {
    url = loadConfig(env).databaseUrl;
  } catch (e) {
    err(JSON.stringify(errorEnvelope(e)) + '\n');
    return 2;
  }
  if (!url) {
    err(
      JSON.stringify({ status: 'error', code: 'TRYGG_ERR_CONFIG', message: 'set DATABASE_URL to the database to work on' }) +
        '\n',
    );
    return 2;
  }
  await migrate(url);
  const pool = createPool(url, 2);
  try {
    const result = await cmd.run(pool, parsed.values, parsed.positionals);
    const failed = typeof result === 'object' && result !== null && (result as { status?: string }).status === 'error';
    (failed ? err : out)(JSON.stringify(result, null, 2) + '\n');
    return failed ? 1 : 0;
  } catch (e) {
    const env2 =
      e instanceof TryggError
        ? errorEnvelope(e)
        : { status: 'error', code: 'TRYGG_ERR_INTERNAL', message: e instanceof Error ? e.message : String(e) };
    err(JSON.stringify(env2) + '\n');
    return 1;
  } finally {
    await pool.end();
  }
}
