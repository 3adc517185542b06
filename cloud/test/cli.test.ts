/** The gridsafe-cloud program as a real child process: help, configuration errors, start and clean stop. */
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';

const cli = fileURLToPath(new URL('../dist/src/cli.js', import.meta.url));

function run(args: string[], env: Record<string, string>, until?: (out: string) => boolean, timeoutMs = 20_000) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], {
      env: { ...process.env, GRIDSAFE_LOG_LEVEL: 'info', ...env },
    });
    let stdout = '';
    let stderr = '';
    let signalled = false;
    const check = () => {
      if (until && !signalled && until(stdout + stderr)) {
        signalled = true;
        child.kill('SIGTERM');
      }
    };
    child.stdout.on('data', (d: Buffer) => ((stdout += d), check()));
    child.stderr.on('data', (d: Buffer) => ((stderr += d), check()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

t.test('--help lists the options and environment variables', async (t) => {
  const { code, stdout } = await run(['--help'], {});
  t.equal(code, 0);
  for (const name of [
    '--config',
    'GRIDSAFE_HTTP_PORT',
    'GRIDSAFE_MQTT_PORT',
    'GRIDSAFE_SEED_FILE',
    'GRIDSAFE_BROKER_URL',
    'GRIDSAFE_INFLUX_URL',
    'GRIDSAFE_DATA_DIR',
  ]) {
    t.match(stdout, name);
  }
});

t.test('configuration mistakes name the file, the field and the problem, and exit 2', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gridsafe-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'http:\n  port: 80800\nmqtt:\n  prot: 1883\n');
  let result = await run(['--config', bad], { GRIDSAFE_DATA_DIR: dir });
  t.equal(result.code, 2);
  t.match(result.stderr, `${bad}: /http/port must be <= 65535`);
  t.match(result.stderr, 'unexpected property "prot"');

  result = await run([], { GRIDSAFE_DATA_DIR: dir, GRIDSAFE_HTTP_PORT: 'eighty' });
  t.equal(result.code, 2);
  t.match(result.stderr, 'GRIDSAFE_HTTP_PORT="eighty": must be a whole number');

  result = await run(['--config', join(dir, 'missing.yaml')], { GRIDSAFE_DATA_DIR: dir });
  t.equal(result.code, 2);
  t.match(result.stderr, 'cannot read the config file (ENOENT)');

  const badDetector = join(dir, 'detector.yaml');
  writeFileSync(badDetector, 'detectors:\n  overload:\n    holdSeconds: -3\n');
  result = await run(['--config', badDetector], {
    GRIDSAFE_DATA_DIR: join(dir, 'd1'),
    GRIDSAFE_HTTP_PORT: '0',
    GRIDSAFE_MQTT_PORT: '0',
  });
  t.equal(result.code, 2);
  t.match(result.stderr, badDetector);
  t.match(result.stderr, /holdSeconds/);

  const badInflux = join(dir, 'influx.yaml');
  writeFileSync(badInflux, 'influx:\n  url: http://127.0.0.1:8086\n  gzip: sometimes\n');
  result = await run(['--config', badInflux], { GRIDSAFE_DATA_DIR: join(dir, 'd2') });
  t.equal(result.code, 2);
  t.match(result.stderr, `${badInflux}: /influx/gzip must be boolean`);

  result = await run(['--bogus'], {});
  t.equal(result.code, 2);
  t.match(result.stderr, 'unknown argument "--bogus"');
});

t.test('starts with the demo seed, stops cleanly on SIGTERM; a busy port is a clear failure', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gridsafe-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const seed = fileURLToPath(new URL('../../deploy/demo/registry.json', import.meta.url));
  const env = {
    GRIDSAFE_DATA_DIR: dir,
    GRIDSAFE_HTTP_PORT: '0',
    GRIDSAFE_MQTT_PORT: '0',
    GRIDSAFE_HTTP_HOST: '127.0.0.1',
    GRIDSAFE_MQTT_HOST: '127.0.0.1',
    GRIDSAFE_SEED_FILE: seed,
  };
  const result = await run([], env, (out) => out.includes('gridsafe cloud is running'));
  t.equal(result.code, 0, 'exit 0 after SIGTERM');
  t.match(result.stdout, '"msg":"registry seed applied"');
  t.match(result.stdout, '"msg":"stopped"');
  t.notMatch(result.stdout, 'gw-001-demo-secret', 'the seed secret never reaches the log');

  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  t.teardown(() => blocker.close());
  const port = (blocker.address() as { port: number }).port;
  const busy = await run([], { ...env, GRIDSAFE_MQTT_PORT: String(port) });
  t.equal(busy.code, 1);
  t.match(busy.stderr, `cannot listen for MQTT on 127.0.0.1:${port}`);
});
