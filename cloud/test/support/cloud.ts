/**
 * Starts a real cloud for a test: temp data folder, port 0 for HTTP and MQTT, the
 * demo registry seed, quiet logs. Stops it and removes the folder at the end of the test.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import mqtt, { type MqttClient, type IClientOptions } from 'mqtt';
import { createLogger, type Device, type TelemetryBatch } from '@gridsafe/shared';
import { loadConfig } from '../../src/config/load.js';
import type { CloudConfig } from '../../src/config/types.js';
import { startCloud, type CloudHandle, type StartOptions } from '../../src/service.js';

/** The demo customer's meter on tx-001 (CT 300/5), shared by the test registries. */
export const DEMO_METER: Device = {
  id: 'm-001',
  gateway: 'gw-001',
  kind: 'meter',
  transformer: 'tx-001',
  customer: 'c-001',
  ctRatio: 60,
  ptRatio: 1,
  ctSecondaryA: 5,
};

export const DEMO_SEED = {
  transformers: [{ id: 'tx-001', site: 'Test substation', ratedKva: 100, vectorGroup: 'Dyn11', area: 'north' }],
  customers: [{ id: 'c-001', name: 'Test Co.', contractKva: 100, tariff: 'two_part' }],
  devices: [DEMO_METER, { id: 'm-002', gateway: 'gw-002', kind: 'meter', ctRatio: 1, ptRatio: 1, ctSecondaryA: 5 }],
  gateways: [
    { id: 'gw-001', secret: 'gw-001-demo-secret' },
    { id: 'gw-002', secret: 'gw-002-test-secret' },
  ],
};

export interface TestCloud extends CloudHandle {
  dir: string;
  mqttUrl: string;
  api(path: string, init?: RequestInit): Promise<Response>;
}

/**
 * A cloud configuration in `dir` as a field engineer would write it (seed file, config
 * file), on loopback with ports chosen by the system: for tests and the detection eval.
 */
export function localCloudConfig(
  dir: string,
  options: { seed: unknown; config?: Record<string, unknown>; env?: Record<string, string> },
): CloudConfig {
  const seedFile = join(dir, 'seed.json');
  writeFileSync(seedFile, JSON.stringify(options.seed));
  let configFile: string | undefined;
  if (options.config) {
    configFile = join(dir, 'cloud.json');
    writeFileSync(configFile, JSON.stringify(options.config));
  }
  return loadConfig({
    ...(configFile ? { configFile } : {}),
    env: {
      GRIDSAFE_DATA_DIR: join(dir, 'data'),
      GRIDSAFE_HTTP_HOST: '127.0.0.1',
      GRIDSAFE_HTTP_PORT: '0',
      GRIDSAFE_MQTT_HOST: '127.0.0.1',
      GRIDSAFE_MQTT_PORT: '0',
      GRIDSAFE_SEED_FILE: seedFile,
      ...options.env,
    },
  });
}

export async function startTestCloud(
  t: Test,
  options: {
    env?: Record<string, string>;
    config?: Record<string, unknown>;
    /** The registry seed (default: DEMO_SEED). */
    seed?: unknown;
    /** Start options, or a function of the loaded configuration that gives them. */
    start?: StartOptions | ((config: CloudConfig) => StartOptions);
    dir?: string;
  } = {},
): Promise<TestCloud> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'gridsafe-cloud-test-'));
  const config = localCloudConfig(dir, {
    seed: options.seed ?? DEMO_SEED,
    ...(options.config ? { config: options.config } : {}),
    ...(options.env ? { env: options.env } : {}),
  });
  const log = createLogger('cloud-test', { level: process.env['GRIDSAFE_TEST_LOG_LEVEL'] ?? 'silent' });
  const start = typeof options.start === 'function' ? options.start(config) : options.start;
  const cloud = await startCloud(config, { log, ...start });
  const handle: TestCloud = Object.assign(cloud, {
    dir,
    mqttUrl: `mqtt://127.0.0.1:${cloud.mqttPort ?? 0}`,
    api: (path: string, init?: RequestInit) => fetch(`${cloud.httpUrl}${path}`, init),
  });
  t.teardown(async () => {
    await cloud.close();
    if (!options.dir) rmSync(dir, { recursive: true, force: true });
  });
  return handle;
}

export async function connectGateway(
  t: Test,
  url: string,
  gateway: string,
  secret: string,
  extra: IClientOptions = {},
): Promise<MqttClient> {
  const client = await mqtt.connectAsync(url, {
    clientId: `${gateway}-${Math.random().toString(16).slice(2, 8)}`,
    username: gateway,
    password: secret,
    reconnectPeriod: 0,
    ...extra,
  });
  t.teardown(() => client.endAsync(true));
  return client;
}

export function batch(gateway: string, seq: number, readings: TelemetryBatch['readings']): TelemetryBatch {
  return { gateway, seq, sentAt: Date.now(), readings };
}

export function reading(device: string, ts: number, values: Record<string, number>) {
  return { device, ts, values, quality: 'good' as const };
}

/** Reads one counter (with optional labels) from /metrics. */
export async function metric(cloud: TestCloud, name: string, labels = ''): Promise<number> {
  const text = await (await cloud.api('/metrics')).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line ? Number(line.split(' ')[1]) : 0;
}
