import t from 'tap';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

t.test('docker-compose accepts the deployment file and it names the four services', async (t) => {
  const check = spawnSync('docker-compose', ['config'], { cwd: root, encoding: 'utf8' });
  t.equal(check.status, 0, `docker-compose config: ${check.stderr}`);
  for (const service of ['influxdb', 'cloud', 'simulator', 'gateway']) {
    t.match(check.stdout, new RegExp(`\\n  ${service}:\\n`), `service ${service} is defined`);
  }
});
