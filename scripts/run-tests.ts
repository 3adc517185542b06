/**
 * Runs the whole tap suite and ends with the plain line `N passed, N failed` that
 * CI's reader understands. A "test" is one subtest of a test file; a file that dies
 * before it reports any subtest counts as one failed test, so a crash is never silent.
 * Extra arguments are passed to tap (for example a file list).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';

const tapBin = new URL('../node_modules/.bin/tap', import.meta.url).pathname;

// tap rebuilds itself when the configured plugins change; doing it here, first,
// keeps that rebuild out of the run (where it would race the first test file).
const build = spawnSync(tapBin, ['build'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const tap = spawn(tapBin, ['--reporter=tap', ...process.argv.slice(2)], { stdio: ['ignore', 'pipe', 'inherit'] });
let passed = 0;
let failed = 0;
let skipped = 0;
let failedInFile = 0;
let reportedInFile = 0;

const fileResult = /^(not )?ok \d+ - /;
const testResult = /^ {4}(not )?ok \d+ - .*?(# (SKIP|TODO)\b.*)?$/i;

for await (const line of createInterface({ input: tap.stdout })) {
  process.stdout.write(`${line}\n`);
  const test = testResult.exec(line);
  if (test) {
    reportedInFile++;
    if (test[3]) skipped++;
    else if (test[1]) {
      failed++;
      failedInFile++;
    } else passed++;
    continue;
  }
  const file = fileResult.exec(line);
  if (file) {
    if (file[1] && failedInFile === 0) failed++;
    if (!file[1] && reportedInFile === 0) passed++;
    failedInFile = 0;
    reportedInFile = 0;
  }
}

const code: number = await new Promise((resolve) => tap.on('close', (status) => resolve(status ?? 1)));
process.stdout.write(`\n${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}\n`);
process.exit(code !== 0 || failed > 0 ? 1 : 0);
