/** The gridsafe-cloud program as a real child process: help, configuration errors, start and clean stop. */
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';

const cli = fileURLToPath(new URL('../dist/src/cli.js', import.meta.url));

// The timeout only stops a hung process: with the whole suite running on two cores the
// cloud took over 20 s to come up, and the start-up test was killed before it was running.
function run(args: string[], env: Record<string, string>, until?: (out: string) => boolean, timeoutMs = 90_000) {
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
  t.match(result.stderr, `${bad}:2:9: http.port: must be a whole number from 0 to 65535, got 80800`);
  t.match(result.stderr, `${bad}:4:3: mqtt.prot: is not a known field (did you mean "port"?)`);
  t.notMatch(result.stderr, /\n\s+at /, 'no stack trace');

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
  t.match(result.stderr, `${badDetector}:3:18: detectors.overload.holdSeconds: must be a number of at least 0, got -3`);
  t.notMatch(result.stderr, /\n\s+at /, 'no stack trace');
  t.notOk(existsSync(join(dir, 'd1')), 'found before any store opened its files');

  // Several mistakes in one file are all named at once, each at its own line, in file order.
  const several = join(dir, 'several.json');
  writeFileSync(
    several,
    '{\n  "detectors": {\n    "residual_current": {"alarmMa": 5},\n    "nosuch": {}\n  },\n  "tickIntervalMs": "10s"\n}\n',
  );
  result = await run(['--config', several], { GRIDSAFE_DATA_DIR: join(dir, 'd3') });
  t.equal(result.code, 2);
  t.match(result.stderr, `${several}:6:21: tickIntervalMs: must be a whole number from 100 to 3600000, got "10s"`);
  writeFileSync(several, '{\n  "detectors": {\n    "residual_current": {"alarmMa": 5},\n    "nosuch": {}\n  }\n}\n');
  result = await run(['--config', several], { GRIDSAFE_DATA_DIR: join(dir, 'd3') });
  t.equal(result.code, 2);
  t.match(
    result.stderr,
    `${several}:3:37: detectors.residual_current.alarmMa: must be a number from 20 to 1000, got 5`,
  );
  t.match(result.stderr, `${several}:4:5: detectors.nosuch: names no detector; known: `);
  t.notOk(existsSync(join(dir, 'd3')), 'no store opened');

  const badInflux = join(dir, 'influx.yaml');
  writeFileSync(badInflux, 'influx:\n  url: http://127.0.0.1:8086\n  gzip: sometimes\n');
  result = await run(['--config', badInflux], { GRIDSAFE_DATA_DIR: join(dir, 'd2') });
  t.equal(result.code, 2);
  t.match(result.stderr, `${badInflux}:3:9: influx.gzip: must be true or false, got "sometimes"`);

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
  // Start (migrations, seed, workflow) and stop take a few seconds alone, far longer on a loaded
  // machine running the suite two files at a time: the bound only catches a hang.
  const result = await run([], env, (out) => out.includes('gridsafe cloud is running'), 90_000);
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
