/**
 * Starts a real InfluxDB (Debian's influxd 1.6) for a test or benchmark: free ports,
 * a temporary folder for meta, data and WAL, nothing reported home. Stopped and
 * removed by `stop()` (tests register it as a teardown). `kill()` and `restart()` take
 * the server away abruptly and bring it back on the same port and data, for the tests
 * of storage going down under ingest.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@gridsafe/testkit';

export interface Influxd {
  url: string;
  port: number;
  dir: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
  /** SIGKILL; the data folder stays. */
  kill(): Promise<void>;
  /** Starts the server again on the same port and data. */
  restart(): Promise<void>;
}

export const INFLUXD = process.env['GRIDSAFE_INFLUXD'] ?? '/usr/bin/influxd';

export async function startInfluxd(): Promise<Influxd> {
  const dir = mkdtempSync(join(tmpdir(), 'gridsafe-influxd-'));
  const [httpPort, rpcPort] = [await freePort(), await freePort()];
  const config = `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"
[meta]
  dir = "${dir}/meta"
[data]
  dir = "${dir}/data"
  wal-dir = "${dir}/wal"
  query-log-enabled = false
  wal-fsync-delay = "0s"
[coordinator]
  log-queries-after = "0s"
[http]
  enabled = true
  bind-address = "127.0.0.1:${httpPort}"
  log-enabled = false
  max-body-size = 0
[logging]
  level = "warn"
[monitor]
  store-enabled = false
[subscriber]
  enabled = false
[continuous_queries]
  enabled = false
`;
  writeFileSync(join(dir, 'influxdb.conf'), config);
  const url = `http://127.0.0.1:${httpPort}`;
  let child = await launch(join(dir, 'influxdb.conf'), url).catch((error: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });
  const halt = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
  };
  return {
    url,
    port: httpPort,
    dir,
    get process() {
      return child;
    },
    async stop() {
      await halt('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
    kill: () => halt('SIGKILL'),
    async restart() {
      child = await launch(join(dir, 'influxdb.conf'), url);
    },
  };
}

/** Spawns influxd and waits until it answers /ping. */
async function launch(configFile: string, url: string): Promise<ChildProcess> {
  const child = spawn(INFLUXD, ['-config', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`influxd exited with ${child.exitCode}: ${stderr}`);
    try {
      if ((await fetch(`${url}/ping`)).status === 204) return child;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`influxd did not answer /ping within 20 s: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
