/**
 * The clustered shape for tests, as real processes: cloud instances started by the CLI
 * (cluster mode on a shared PostgreSQL and InfluxDB) and Debian's HAProxy in TCP mode in
 * front of their embedded brokers, as cloud/README.md ("Several instances") deploys it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';
import { freePort, getJson, isListening, metricSamples, run, tail, waitFor, waitForOk } from '@gridsafe/testkit';
import type { Proc } from '@gridsafe/testkit';
import { startPostgres } from './postgres.js';
import { startInfluxd } from './influxd.js';

const CLI = fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url));
export const HAPROXY = process.env['GRIDSAFE_HAPROXY'] ?? '/usr/sbin/haproxy';

export interface Instance {
  name: string;
  proc: Proc;
  httpPort: number;
  mqttPort: number;
  api<T>(path: string): Promise<T>;
  /** Every series of a metric: label text (`partition="3"`, or '') to value. */
  metric(name: string): Promise<Map<string, number>>;
}

export async function startInstance(
  t: Test,
  name: string,
  env: Record<string, string>,
  args: string[] = [],
): Promise<Instance> {
  const httpPort = await freePort();
  const mqttPort = await freePort();
  const proc = run(t, name, [CLI, ...args], {
    GRIDSAFE_HTTP_HOST: '127.0.0.1',
    GRIDSAFE_HTTP_PORT: String(httpPort),
    GRIDSAFE_MQTT_HOST: '127.0.0.1',
    GRIDSAFE_MQTT_PORT: String(mqttPort),
    GRIDSAFE_INSTANCE_ID: name,
    GRIDSAFE_LOG_LEVEL: 'warn',
    ...env,
  });
  const base = `http://127.0.0.1:${httpPort}`;
  const instance: Instance = {
    name,
    proc,
    httpPort,
    mqttPort,
    api: <T>(path: string) => getJson<T>(`${base}${path}`, `${name} ${path}`),
    metric: async (metric) => {
      const samples = (await metricSamples(`${base}/metrics`)).filter((sample) => sample.name === metric);
      return new Map(samples.map((sample) => [sample.labels, sample.value]));
    },
  };
  // Start-up on a loaded machine (migrations, seed, forecast catch-up) can take a while.
  await waitForOk(`${name} to be ready`, `${base}/readyz`, 90_000).catch((error: Error) => {
    throw new Error(`${error.message}\n${tail(proc)}`);
  });
  return instance;
}

export interface Haproxy {
  port: number;
  /** SIGKILL and start again on the same port (connections through it drop). */
  restart(): Promise<void>;
}

/** HAProxy in TCP mode: round robin over the instances' MQTT ports, a dead one taken out by its health check. */
export async function startHaproxy(t: Test, dir: string, backends: readonly number[]): Promise<Haproxy> {
  const port = await freePort();
  const config = join(dir, 'haproxy.cfg');
  writeFileSync(
    config,
    `global
  maxconn 256
defaults
  mode tcp
  timeout connect 2s
  timeout client 120s
  timeout server 120s
  retries 2
  option redispatch
frontend mqtt
  bind 127.0.0.1:${port}
  default_backend clouds
backend clouds
  balance roundrobin
${backends.map((backend, i) => `  server cloud${i + 1} 127.0.0.1:${backend} check inter 500ms fall 1 rise 2`).join('\n')}
`,
  );
  let child: ChildProcess;
  let output = '';
  const alive = () => child.exitCode === null && child.signalCode === null;
  const start = async () => {
    child = spawn(HAPROXY, ['-f', config, '-db'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor('haproxy to listen', () => isListening(port), 10_000).catch((error: Error) => {
      throw new Error(`${error.message}\n--- haproxy ---\n${output}`);
    });
  };
  const kill = async () => {
    if (!alive()) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  t.teardown(kill);
  await start();
  return {
    port,
    restart: async () => {
      await kill();
      await start();
    },
  };
}

export interface SharedStores {
  databaseUrl: string;
  /** A temporary folder, removed at the end of the test. */
  dir: string;
  /** An instance's environment: cluster mode on the shared stores, its own data folder, the seed if given. */
  env(name: string, seedFile?: string): Record<string, string>;
}

/** PostgreSQL and InfluxDB for instances in cluster mode (database `name` on both), stopped at the end of the test. */
export async function startSharedStores(t: Test, name: string, takeoverSeconds: number): Promise<SharedStores> {
  const postgres = await startPostgres();
  t.teardown(() => postgres.stop());
  const influxd = await startInfluxd();
  t.teardown(() => influxd.stop());
  const databaseUrl = await postgres.createDatabase(name);
  const dir = mkdtempSync(join(tmpdir(), `gridsafe-${name}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return {
    databaseUrl,
    dir,
    env: (instance, seedFile) => ({
      GRIDSAFE_CLUSTER: 'true',
      GRIDSAFE_CLUSTER_TAKEOVER_SECONDS: String(takeoverSeconds),
      GRIDSAFE_DATABASE_URL: databaseUrl,
      GRIDSAFE_INFLUX_URL: influxd.url,
      GRIDSAFE_INFLUX_DATABASE: name,
      GRIDSAFE_DATA_DIR: join(dir, instance),
      ...(seedFile ? { GRIDSAFE_SEED_FILE: seedFile } : {}),
    }),
  };
}
