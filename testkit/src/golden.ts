/**
 * Golden configuration cases, Telegraf style: a folder per case holding the input file
 * (`input.yaml` or `input.json`) and what must come of it: `output.json` (the config as
 * the program normalises it) or `error.txt` (every problem, one per line). Paths inside
 * the case folder read `<case>`, the working directory `<cwd>`, so the files are the
 * same on every machine. `UPDATE_GOLDEN=1` rewrites the expected files from what the
 * program does now (review the diff before committing it).
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface GoldenCase {
  name: string;
  dir: string;
  input: string;
}

export function goldenCases(root: string): GoldenCase[] {
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => {
      const dir = join(root, entry.name);
      const input = ['input.yaml', 'input.json'].map((name) => join(dir, name)).find((path) => existsSync(path));
      if (!input) throw new Error(`golden case ${dir} has no input.yaml or input.json`);
      return { name: entry.name, dir, input };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

export interface GoldenResult {
  /** What the program made of the input, as text. */
  actual: string;
  /** What the case folder says it must make (empty when the folder has no expected file). */
  expected: string;
  /** The expected file that applies (output.json or error.txt). */
  file: string;
}

/**
 * Runs `load` on a case: its value becomes JSON, a user error (one `problemsOf` recognises)
 * its problems one per line; any other error propagates (a crash is never a golden result).
 */
export function goldenResult(
  c: GoldenCase,
  load: () => unknown,
  problemsOf: (error: unknown) => string[] | undefined,
): GoldenResult {
  let actual: string;
  let file: string;
  try {
    actual = `${JSON.stringify(load(), null, 2)}\n`;
    file = join(c.dir, 'output.json');
  } catch (error) {
    const problems = problemsOf(error);
    if (!problems) throw error;
    actual = `${problems.join('\n')}\n`;
    file = join(c.dir, 'error.txt');
  }
  actual = actual.replaceAll(c.dir, '<case>').replaceAll(process.cwd(), '<cwd>');
  if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(file, actual);
  return { actual, expected: existsSync(file) ? readFileSync(file, 'utf8') : '', file };
}
