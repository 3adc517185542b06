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

t.test('docker-compose accepts the clustered shape: PostgreSQL, InfluxDB, three instances, HAProxy', async (t) => {
  const check = spawnSync('docker-compose', ['-f', 'docker-compose.cluster.yml', 'config'], {
    cwd: root,
    encoding: 'utf8',
  });
  t.equal(check.status, 0, `docker-compose -f docker-compose.cluster.yml config: ${check.stderr}`);
  for (const service of ['postgres', 'influxdb', 'cloud-1', 'cloud-2', 'cloud-3', 'haproxy']) {
    t.match(check.stdout, new RegExp(`\\n  ${service}:\\n`), `service ${service} is defined`);
  }
  t.equal(check.stdout.match(/GRIDSAFE_CLUSTER: "true"/g)?.length, 3, 'each instance in cluster mode');
  t.equal(check.stdout.match(/GRIDSAFE_SEED_FILE/g)?.length, 1, 'only the first instance applies the seed');
  // HAProxy's own check of its configuration (Debian's haproxy, as in the cluster test).
  const haproxy = spawnSync('haproxy', ['-c', '-f', 'deploy/cluster/haproxy.cfg'], { cwd: root, encoding: 'utf8' });
  t.equal(haproxy.status, 0, haproxy.status === 0 ? 'haproxy -c accepts it' : `haproxy -c: ${haproxy.stderr}`);
});
