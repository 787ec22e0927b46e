/**
 * A benchmark run's printed figures as a dated result file, `bench/results/YYYY-MM-DD-<name>.md`
 * at the repository's root, so runs of record are committed files rather than hand-copied tables
 * (the narrative, what each figure measures, is docs/benchmarks.md). bench.json, the full record,
 * stays in the scratch folder. The printed lines go in a text block as they were printed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** `bench/results/` under the repository's root: the nearest folder up whose package.json has workspaces. */
export function resultsDir(from = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && 'workspaces' in (JSON.parse(readFileSync(manifest, 'utf8')) as object)) {
      return path.join(dir, 'bench', 'results');
    }
    if (path.dirname(dir) === dir) throw new Error(`no workspace root above ${from}`);
  }
}

/** The run's name in the file name: its sections (or `all`), `-quick` for a smoke run. */
export function resultName(only: readonly string[] | null, quick: boolean): string {
  return `${only?.length ? only.join('-') : 'all'}${quick ? '-quick' : ''}`;
}

/**
 * Writes `<dir>/<UTC date>-<name>.md` (`-2`, `-3` … when that day already has one of the name)
 * holding `lines` as printed, headed by the run's start and command; returns its path.
 */
export async function writeResult(
  name: string,
  lines: readonly string[],
  {
    dir = resultsDir(),
    when = new Date(),
    command = 'npm run bench',
  }: { dir?: string | undefined; when?: Date; command?: string } = {},
): Promise<string> {
  await mkdir(dir, { recursive: true });
  const day = when.toISOString().slice(0, 10);
  let file = path.join(dir, `${day}-${name}.md`);
  for (let n = 2; existsSync(file); n++) file = path.join(dir, `${day}-${name}-${n}.md`);
  const text = [
    `# Benchmark run ${when.toISOString().slice(0, 16).replace('T', ' ')} UTC: ${name}`,
    '',
    `\`${command}\`, as it printed its figures. What each figure measures, its peer and its goal:`,
    'docs/benchmarks.md.',
    '',
    '```text',
    ...lines.map((l) => l.trimEnd()),
    '```',
    '',
  ].join('\n');
  await writeFile(file, text, { flag: 'wx' });
  return file;
}
