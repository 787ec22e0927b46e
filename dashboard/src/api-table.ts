/**
 * Writes the web app's route table (dashboard/app/src/data/routes.ts) from the route map in
 * alarm-core: each route's method and path by name. The browser imports the contracts' types
 * only, never their schemas, so the table is generated; it is typed `satisfies` the contracts, so
 * the compiler already refuses a stale one, and a test compares it with this output.
 *
 * `npx tsx dashboard/src/api-table.ts --write` rewrites it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { API } from '@trygg/alarm-core';

export const TABLE_FILE = fileURLToPath(new URL('../app/src/data/routes.ts', import.meta.url));

export function renderApiTable(): string {
  const rows = Object.entries(API).map(([name, r]) => `  ${name}: { method: '${r.method}', path: '${r.path}' },`);
  return `/**
 * Method and path of every REST route, by name: generated from the route map
 * (alarm-core/src/contracts/api) by dashboard/src/api-table.ts. Do not edit; run
 * \`npx tsx dashboard/src/api-table.ts --write\`.
 */
import type { Api } from '@trygg/alarm-core';

export const ROUTES = {
${rows.join('\n')}
} as const satisfies { readonly [K in keyof Api]: { readonly method: Api[K]['method']; readonly path: Api[K]['path'] } };
`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const next = renderApiTable();
  if (process.argv.includes('--write')) writeFileSync(TABLE_FILE, next);
  else process.stdout.write(readFileSync(TABLE_FILE, 'utf8') === next ? 'up to date\n' : 'stale: run with --write\n');
}
