/** Golden scenario cases of the simulator (firmware-sim/test/golden/scenario/<case>/; see testkit/src/golden.ts). */
import t from 'tap';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '@gridsafe/shared';
import { goldenCases, goldenResult } from '@gridsafe/testkit';
import { loadScenarioFile } from '../src/index.js';
import { profiles } from './support/helpers.js';

const root = fileURLToPath(new URL('./golden/scenario', import.meta.url));

for (const c of goldenCases(root)) {
  t.test(c.name, async (t) => {
    const result = goldenResult(
      c,
      () => loadScenarioFile(c.input, { profiles }),
      (error) => (error instanceof ConfigError ? error.problems : undefined),
    );
    t.equal(result.actual, result.expected, `${c.name}: ${result.file}`);
  });
}
