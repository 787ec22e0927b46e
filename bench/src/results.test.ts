/** The dated result file: where it goes, its name, its content, and a second run the same day. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { resultName, resultsDir, writeResult } from './results.js';

const dir = await mkdtemp(path.join(os.tmpdir(), 'trygg-bench-results-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('bench result files', () => {
  it('live in bench/results at the repository root', () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    expect(resultsDir()).toBe(path.join(root, 'bench', 'results'));
  });

  it('are named by the sections run, and say when a run was a smoke check', () => {
    expect(resultName(null, false)).toBe('all');
    expect(resultName(['scaip', 'push'], true)).toBe('scaip-push-quick');
  });

  it('hold the printed lines as printed, dated by the run, and never overwrite an earlier run', async () => {
    const when = new Date('2026-11-30T21:05:00Z');
    const lines = ['figure │ Trygg │ peer   ', 'push messages prepared / s │ 28 591 │ web-push 1 528'];
    const first = await writeResult('push', lines, { dir, when, command: 'npm run bench -- --only push' });
    const second = await writeResult('push', lines, { dir, when });
    expect(path.basename(first)).toBe('2026-11-30-push.md');
    expect(path.basename(second)).toBe('2026-11-30-push-2.md');
    const text = await readFile(first, 'utf8');
    expect(text).toContain('# Benchmark run 2026-11-30 21:05 UTC: push');
    expect(text).toContain('`npm run bench -- --only push`');
    expect(text).toContain('```text\nfigure │ Trygg │ peer\npush messages prepared / s │ 28 591 │ web-push 1 528\n```\n');
  });
});
