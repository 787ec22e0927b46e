/**
 * docs/errors.md from the error catalogue (STYLE §16): one row per code with the catalogue's
 * HTTP status, in the catalogue's order. The "when / what to do" column is prose written in the
 * document itself; regenerating keeps it, seeds a new code's with the catalogue's message and
 * drops a code the catalogue no longer has. `npm run docs:errors` rewrites the table; a test
 * checks the document against the catalogue both ways.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ERRORS } from './errors.js';

const START = '<!-- generated from alarm-core/src/errors.ts by `npm run docs:errors`: start -->';
const END = '<!-- generated from alarm-core/src/errors.ts: end -->';
export const ERRORS_MD = fileURLToPath(new URL('../../docs/errors.md', import.meta.url));

/** One documented row: the status as the document shows it and its prose. */
export interface DocumentedError {
  status: string;
  when: string;
}

/** A Markdown table row split into its cells (`\|` inside a cell is not a border). */
function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\||\|$/g, '')
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());
}

/** Every row of the document's tables whose first cell is a `TRYGG_ERR_*` code. */
export function documentedErrors(text: string): Map<string, DocumentedError> {
  const rows = new Map<string, DocumentedError>();
  for (const line of text.split('\n')) {
    const [first, status, when] = cells(line);
    const code = /^`(TRYGG_ERR_[A-Z_]+)`$/.exec(first ?? '')?.[1];
    if (code && status !== undefined) rows.set(code, { status, when: when ?? '' });
  }
  return rows;
}

/** The generated table: the catalogue's codes and statuses, the document's prose kept. */
export function generatedBlock(documented: Map<string, DocumentedError>): string {
  const rows = Object.entries(ERRORS).map(([code, { status, message }]) => {
    const when = documented.get(code)?.when || message.replaceAll('|', '\\|');
    return `| \`${code}\` | ${status} | ${when} |`;
  });
  return [
    START,
    '<!-- prettier-ignore-start -->',
    '| code | HTTP | when, and what to do |',
    '| --- | --- | --- |',
    ...rows,
    '<!-- prettier-ignore-end -->',
    END,
  ].join('\n');
}

/** The document with its table regenerated (the table appended when it has none yet). */
export function regenerated(text: string): string {
  const block = generatedBlock(documentedErrors(text));
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  if (a < 0 || b < a) return `${text.trimEnd()}\n\n${block}\n`;
  return text.slice(0, a) + block + text.slice(b + END.length);
}

if (process.argv.includes('--write') && process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(ERRORS_MD, regenerated(readFileSync(ERRORS_MD, 'utf8')));
}
