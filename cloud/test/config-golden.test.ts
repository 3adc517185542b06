/** Golden configuration cases of the cloud (cloud/test/golden/config/<case>/; see testkit/src/golden.ts). */
import t from 'tap';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '@gridsafe/shared';
import { goldenCases, goldenResult } from '@gridsafe/testkit';
import { checkDetectorSettings } from '../src/config/detector-settings.js';
import { loadConfig } from '../src/config/load.js';
import { checkWorkflowSettings } from '../src/config/workflow-settings.js';

const root = fileURLToPath(new URL('./golden/config', import.meta.url));

for (const c of goldenCases(root)) {
  t.test(c.name, async (t) => {
    const result = goldenResult(
      c,
      () => {
        const config = loadConfig({
          configFile: c.input,
          env: {},
          checks: [checkDetectorSettings, checkWorkflowSettings],
        });
        // The default client id names the machine; the case must read the same everywhere.
        return {
          ...config,
          mqtt: { ...config.mqtt, clientId: config.mqtt.clientId.replace(hostname(), '<hostname>') },
        };
      },
      (error) => (error instanceof ConfigError ? error.problems : undefined),
    );
    t.equal(result.actual, result.expected, `${c.name}: ${result.file}`);
  });
}
