/** Golden configuration cases of the gateway (gateway/test/golden/config/<case>/; see testkit/src/golden.ts). */
import t from 'tap';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '@gridsafe/shared';
import { goldenCases, goldenResult } from '@gridsafe/testkit';
import { loadConfig } from '../src/config/load.js';

const root = fileURLToPath(new URL('./golden/config', import.meta.url));

for (const c of goldenCases(root)) {
  t.test(c.name, async (t) => {
    const result = goldenResult(
      c,
      () => {
        const config = loadConfig(c.input, { env: {} });
        // A device's profile is its whole register map; the profile's id says which.
        return { ...config, devices: config.devices.map((d) => ({ ...d, profile: d.profile.id })) };
      },
      (error) => (error instanceof ConfigError ? error.problems : undefined),
    );
    t.equal(result.actual, result.expected, `${c.name}: ${result.file}`);
  });
}
