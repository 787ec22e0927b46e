/** The web app's route table is the route map's, as generated. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderApiTable, TABLE_FILE } from './api-table.js';

describe('dashboard/app/src/data/routes.ts', () => {
  it('lists every route of the route map (regenerate: npx tsx dashboard/src/api-table.ts --write)', () => {
    expect(readFileSync(TABLE_FILE, 'utf8')).toBe(renderApiTable());
  });
});
