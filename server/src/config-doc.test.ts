/**
 * The settings the docs list, checked against the config both ways (STYLE §16): every variable
 * loadConfig reads is documented in docs/ (docs/configuration.md, or the page of its concern),
 * and every variable a settings table names is one loadConfig reads.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SETTINGS } from './config.js';

const DOCS = fileURLToPath(new URL('../../docs/', import.meta.url));
const pages = readdirSync(DOCS)
  .filter((f) => f.endsWith('.md'))
  .map((f) => ({ file: f, text: readFileSync(path.join(DOCS, f), 'utf8') }));
const VARIABLE = /^(TRYGG_(?!ERR_)[A-Z0-9_]+|PORT|HOST|DATABASE_URL)$/;

/** Variables named in the first cell of a table row (`| \`TRYGG_X\` / \`TRYGG_Y\` | … |`). */
function tabled(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('|'))
    .flatMap((l) => [...(l.split('|')[1] ?? '').matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1] ?? ''))
    .filter((name) => VARIABLE.test(name));
}

describe('docs/ and the settings', () => {
  it('documents every environment variable the config reads', () => {
    const all = pages.map((p) => p.text).join('\n');
    expect(SETTINGS.filter((name) => !all.includes(`\`${name}\``))).toEqual([]);
  });

  it('lists in its settings tables only variables the config reads', () => {
    const stale = pages.flatMap(({ file, text }) =>
      tabled(text)
        .filter((n) => !SETTINGS.includes(n))
        .map((n) => `${file}: ${n}`),
    );
    expect(stale).toEqual([]);
  });
});
