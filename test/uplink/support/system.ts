/**
 * The real pieces of the uplink, each its own process: simulator (firmware-sim) →
 * gateway → link emulator (gridsafe-link) → cloud (embedded broker and SQLite store).
 * Ports are free ports, data lives in the test's own folder.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';
import { freePort, getJson, isListening, metricSamples, run, tail, waitFor, waitForOk } from '@gridsafe/testkit';
import type { Proc } from '@gridsafe/testkit';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const CLI = {
  cloud: join(root, 'cloud/dist/src/cli.js'),
  gateway: join(root, 'gateway/dist/src/cli.js'),
  sim: join(root, 'firmware-sim/dist/src/cli.js'),
  link: join(root, 'firmware-sim/dist/src/link/cli.js'),
};

export const GATEWAY = 'gw-up';
export const SECRET = 'gw-up-test-secret';
export const DEVICES = ['m-1', 'm-2'];

export interface Cloud {
  proc: Proc;
  httpPort: number;
  mqttPort: number;
  dataDir: string;
  api<T>(path: string): Promise<T>;
  metric(name: string, labels?: Record<string, string>): Promise<number>;
}

export async function startCloud(t: Test, dir: string, ports?: { httpPort: number; mqttPort: number }): Promise<Cloud> {
  const httpPort = ports?.httpPort ?? (await freePort());
  const mqttPort = ports?.mqttPort ?? (await freePort());
  const dataDir = join(dir, 'cloud');
  const seedFile = join(dir, 'registry.json');
  writeFileSync(
    seedFile,
    JSON.stringify({
      transformers: [{ id: 'tx-up', site: 'test', ratedKva: 400 }],
      devices: DEVICES.map((id) => ({
        id,
        gateway: GATEWAY,
        kind: 'meter',
        transformer: 'tx-up',
        ctRatio: 40,
        ptRatio: 1,
        ctSecondaryA: 5,
      })),
      gateways: [{ id: GATEWAY, secret: SECRET }],
    }),
  );
  const proc = run(t, 'cloud', [CLI.cloud], {
    GRIDSAFE_HTTP_HOST: '127.0.0.1',
    GRIDSAFE_HTTP_PORT: String(httpPort),
    GRIDSAFE_MQTT_HOST: '127.0.0.1',
    GRIDSAFE_MQTT_PORT: String(mqttPort),
    GRIDSAFE_DATA_DIR: dataDir,
    GRIDSAFE_SEED_FILE: seedFile,
    GRIDSAFE_LOG_LEVEL: 'warn',
  });
  const base = `http://127.0.0.1:${httpPort}`;
  const cloud: Cloud = {
    api: <T>(path: string) => getJson<T>(`${base}${path}`, path),
    metric: async (name, labels = {}) => {
      const want = Object.entries(labels)
        .map(([k, v]) => `${k}="${v}"`)
        .join(',');
      const samples = await metricSamples(`${base}/metrics`);
      return samples.find((sample) => sample.name === name && sample.labels === want)?.value ?? 0;
    },
    proc,
    httpPort,
    mqttPort,
    dataDir,
  };
  await waitForOk('the cloud to be ready', `${base}/readyz`, 30_000).catch((error: Error) => {
    throw new Error(`${error.message}\n${tail(proc)}`);
  });
  return cloud;
}

export interface Sim {
  proc: Proc;
  port: number;
  servedLog: string;
}

/** Two DTSU666 meters on one Modbus TCP port; the served state changes every 200 ms. */
export async function startSim(t: Test, dir: string): Promise<Sim> {
  const port = await freePort();
  const scenario = join(dir, 'scenario.yaml');
  writeFileSync(
    scenario,
    `name: uplink-test
seed: 11
tick: 200ms
transformers: [{ id: tx-up, ratedKva: 400 }]
buses: [{ id: tcp-1, kind: tcp, host: 127.0.0.1, port: ${port} }]
devices:
${DEVICES.map((id, i) => `  - { id: ${id}, profile: dtsu666, bus: tcp-1, unit: ${i + 1}, ctRatio: 40, ptRatio: 1, transformer: tx-up, load: { baseKva: 80, pf: 0.93, noise: 0.03 } }`).join('\n')}
`,
  );
  const servedLog = join(dir, 'served.jsonl');
  const proc = run(t, 'sim', [CLI.sim, '--scenario', scenario, '--served-log', servedLog], {
    GRIDSAFE_LOG_LEVEL: 'warn',
  });
  await waitFor('the simulator to listen', async () => isListening(port), 20_000, 100).catch((error: Error) => {
    throw new Error(`${error.message}\n${tail(proc)}`);
  });
  return { proc, port, servedLog };
}

export interface Link {
  proc: Proc;
  port: number;
  cut(mode?: 'reset' | 'stall'): void;
  restore(): void;
}

export async function startLink(t: Test, target: number, args: string[] = []): Promise<Link> {
  const proc = run(t, 'link', [CLI.link, '--target', `127.0.0.1:${target}`, '--stats-every', '0s', ...args], {
    GRIDSAFE_LOG_LEVEL: 'info',
  });
  const listening = await waitFor(
    'the link emulator to listen',
    async () => proc.lines().find((l) => l['msg'] === 'listening'),
    15_000,
    50,
  ).catch((error: Error) => {
    throw new Error(`${error.message}\n${tail(proc)}`);
  });
  return {
    proc,
    port: listening['port'] as number,
    cut: (mode = 'reset') => proc.send(`cut ${mode}`),
    restore: () => proc.send('restore'),
  };
}

export interface GatewayOptions {
  brokerPort: number;
  simPort: number;
  pollMs?: number;
  outbox?: { maxBytes?: string; overflow?: string };
  batch?: { maxAge?: string; maxReadings?: number; maxBytes?: string };
  /** Telemetry encoding (CONTRACT.md: the compact one is negotiated by topic suffix). */
  encoding?: 'json' | 'compact';
}

export interface Gateway {
  proc: Proc;
  config: string;
  dataDir: string;
}

export function gatewayConfig(dir: string, o: GatewayOptions): { config: string; dataDir: string } {
  const dataDir = join(dir, 'gateway');
  const config = join(dir, 'gateway.yaml');
  writeFileSync(
    config,
    JSON.stringify({
      gateway: { id: GATEWAY },
      mqtt: {
        url: `mqtt://127.0.0.1:${o.brokerPort}`,
        password: SECRET,
        keepalive: '5s',
        reconnectMin: '100ms',
        reconnectMax: '1s',
        statusInterval: '500ms',
        inflight: 8,
        encoding: o.encoding ?? 'json',
      },
      dataDir,
      batch: {
        maxAge: o.batch?.maxAge ?? '300ms',
        maxReadings: o.batch?.maxReadings ?? 50,
        ...(o.batch?.maxBytes ? { maxBytes: o.batch.maxBytes } : {}),
      },
      outbox: { maxBytes: o.outbox?.maxBytes ?? '16MiB', overflow: o.outbox?.overflow ?? 'drop-oldest' },
      shutdownFlush: '10s',
      buses: [{ id: 'sim', kind: 'tcp', host: '127.0.0.1', port: o.simPort }],
      devices: DEVICES.map((id, i) => ({
        id,
        bus: 'sim',
        unit: i + 1,
        profile: 'dtsu666',
        ctRatio: 40,
        ptRatio: 1,
        pollInterval: `${o.pollMs ?? 250}ms`,
      })),
    }),
  );
  return { config, dataDir };
}

export function startGateway(t: Test, dir: string, o: GatewayOptions): Gateway {
  const { config, dataDir } = gatewayConfig(dir, o);
  const proc = run(t, 'gateway', [CLI.gateway, '--config', config], { GRIDSAFE_LOG_LEVEL: 'info' });
  return { proc, config, dataDir };
}

export interface GatewayStatusView {
  state: string;
  health?: {
    readings?: { readings: number; batches: number; rejectedReadings: number };
    outbox?: { batches: number; bytes: number; lastSeq: number; overflow: Record<string, number | string> };
    uplink?: { connected: boolean };
  };
}

/** The gateway's last status as the cloud stored it. */
export async function gatewayStatus(cloud: Cloud): Promise<GatewayStatusView | null> {
  const info = await cloud.api<{ status: GatewayStatusView | null }>(`/api/v1/gateways/${GATEWAY}`);
  return info.status;
}
