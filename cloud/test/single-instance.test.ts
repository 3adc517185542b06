/**
 * Embedded SQLite stores belong to one instance: a second cloud on the same data folder
 * is refused with a clear message (in-process and as the CLI starts it), a lock left by a
 * killed instance is taken over, and the folder is free again after a clean stop.
 */
import t from 'tap';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DEMO_SEED, startTestCloud } from './support/cloud.js';
import { LOCK_FILE } from '../src/storage/data-dir-lock.js';

const cli = fileURLToPath(new URL('../dist/src/cli.js', import.meta.url));

t.test('a second instance on the same embedded stores is refused', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gridsafe-single-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const first = await startTestCloud(t, { dir });
  const lock = join(dir, 'data', LOCK_FILE);
  t.ok(existsSync(lock), 'the running instance holds the lock file');

  await t.rejects(
    startTestCloud(t, { dir }),
    { name: 'DataDirInUseError', message: new RegExp(`pid ${process.pid}.*more than one instance on embedded SQLite`) },
    'in-process: refused, naming the holder',
  );

  // The CLI as an operator starts it: exit 1 and the reason on stderr, before anything listens.
  const run = promisify(execFile);
  const refused = await run(process.execPath, [cli], {
    env: {
      ...process.env,
      GRIDSAFE_DATA_DIR: join(dir, 'data'),
      GRIDSAFE_HTTP_PORT: '0',
      GRIDSAFE_MQTT_PORT: '0',
      GRIDSAFE_HTTP_HOST: '127.0.0.1',
      GRIDSAFE_MQTT_HOST: '127.0.0.1',
      GRIDSAFE_LOG_LEVEL: 'silent',
    },
    timeout: 90_000,
  }).then(
    () => null,
    (error: { code?: number; stderr?: string }) => error,
  );
  t.equal(refused?.code, 1, 'the CLI exits 1');
  t.match(
    refused?.stderr ?? '',
    /already runs on the embedded stores.*GRIDSAFE_CLUSTER/,
    'and says why and what to do',
  );
  t.equal((await first.api('/readyz')).status, 200, 'the first instance runs on');

  await first.close();
  t.notOk(existsSync(lock), 'a clean stop frees the folder');
  await startTestCloud(t, { dir }).then((again) => again.close());
  t.pass('and the next instance starts');
});

t.test("a killed instance's lock is taken over", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gridsafe-single-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // A process that has ended: its pid in the lock file is what a SIGKILL leaves behind.
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  mkdirSync(join(dir, 'data'), { recursive: true });
  writeFileSync(join(dir, 'data', LOCK_FILE), String(child.pid));
  const cloud = await startTestCloud(t, { dir, seed: DEMO_SEED });
  t.equal((await cloud.api('/readyz')).status, 200, 'started over the stale lock');
});
