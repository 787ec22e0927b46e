/**
 * `npm run bench -- --quick --only push` end to end (it needs the machine's PostgreSQL for the
 * run's database and its version): the JSON has the machine, the figure with its peer, ratio,
 * rounds and goal, and the section's CPU share.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { Figure } from './figures.js';

const script = fileURLToPath(new URL('./bench.ts', import.meta.url));
const out = await mkdtemp(path.join(os.tmpdir(), 'trygg-bench-test-'));
afterAll(() => rm(out, { recursive: true, force: true }));

function bench(args: string[]): Promise<{ code: number | null; stdout: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout })));
}

describe('npm run bench --quick', () => {
  it(
    'measures push preparation in rounds against web-push and writes every figure to bench.json',
    { timeout: 90_000 },
    async () => {
      const { code, stdout } = await bench(['--quick', '--only', 'push', '--pushes', '300', '--out', out]);
      expect(code).toBe(0);
      expect(stdout).toMatch(/push messages prepared \/ s .*│ web-push \d+/);
      const json = JSON.parse(await readFile(path.join(out, 'bench.json'), 'utf8')) as {
        machine: Record<string, unknown>;
        quick: boolean;
        figures: Figure[];
        sections: Record<string, { cpu: { ours: number; other: number }; result: { tryggRounds: number[] } }>;
      };
      expect(json.quick).toBe(true);
      expect(json.machine).toMatchObject({ cpus: os.cpus().length, postgres: expect.any(String), loadAfter: expect.any(String) });
      const [push] = json.figures;
      expect(json.figures).toHaveLength(1);
      expect(push?.peer?.name).toBe('web-push');
      expect(push?.ratio).toBeCloseTo((push?.trygg as number) / (push?.peer?.value as number));
      expect(push?.rounds?.trygg).toHaveLength(3);
      expect(push?.rounds?.peer).toHaveLength(3);
      expect(push?.noise?.threshold).toBe(1.3);
      expect(push?.goal?.text).toBe('Trygg/peer ≥ 3');
      expect(json.sections.push?.result.tryggRounds).toEqual(push?.rounds?.trygg);
      expect(json.sections.push?.cpu.ours).toBeGreaterThan(0);
    },
  );

  it('refuses an unknown section with exit code 2', async () => {
    const { code } = await bench(['--only', 'nope', '--out', out]);
    expect(code).toBe(2);
  });
});
