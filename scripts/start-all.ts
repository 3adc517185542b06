/**
 * Starts the whole system on embedded defaults: the cloud (own MQTT broker, SQLite
 * storage) with the demo registry, the simulated fleet, and a gateway polling it.
 * Ctrl-C (or SIGTERM) stops all three cleanly; if one dies, the others are stopped.
 * The fleet's DL/T 645 meter needs a serial line: a socat pseudo-terminal pair is made
 * for it (without socat the demo runs without that meter, and says so).
 *
 * Environment: GRIDSAFE_DATA_ROOT (default ./data) holds one folder per program;
 * every GRIDSAFE_* variable the programs read (ports, hosts) passes through.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '@gridsafe/shared';
import { GATEWAY_NODE_FLAGS } from '@gridsafe/gateway';

const log = createLogger('start-all');
const root = resolve(new URL('..', import.meta.url).pathname);
const dataRoot = resolve(process.env['GRIDSAFE_DATA_ROOT'] ?? 'data');
const httpPort = process.env['GRIDSAFE_HTTP_PORT'] ?? '8080';
const mqttPort = process.env['GRIDSAFE_MQTT_PORT'] ?? '1883';
const simPort = process.env['GRIDSAFE_SIM_TCP_PORT'] ?? '5020';

interface Program {
  name: string;
  args: string[];
  env: Record<string, string>;
}

const dataDir = (program: string) => {
  const dir = resolve(dataRoot, program);
  mkdirSync(dir, { recursive: true });
  return dir;
};

/**
 * A socat pseudo-terminal pair standing in for the demo's RS-485 line: the simulator's
 * DL/T 645 meter on one end, the gateway on the other. Undefined when socat cannot run.
 */
async function serialLine(): Promise<{ sim: string; gateway: string; socat: ChildProcess } | undefined> {
  const dir = dataDir('serial');
  const sim = resolve(dir, 'rs485-sim');
  const gateway = resolve(dir, 'rs485-gw');
  const socat = spawn('socat', [`pty,raw,echo=0,link=${sim}`, `pty,raw,echo=0,link=${gateway}`], {
    stdio: 'ignore',
    detached: true,
  });
  const failed = new Promise<boolean>((done) => {
    socat.once('error', () => done(true));
    socat.once('exit', () => done(true));
  });
  for (let i = 0; i < 100 && !(existsSync(sim) && existsSync(gateway)); i++)
    if (await Promise.race([failed, sleep(50).then(() => false)])) break;
  if (existsSync(sim) && existsSync(gateway) && socat.exitCode === null) return { sim, gateway, socat };
  socat.kill('SIGKILL');
  log.warn('socat is not available: the demo runs without its DL/T 645 meter (d-001)');
  return undefined;
}

const line = await serialLine();

const programs: Program[] = [
  {
    name: 'cloud',
    args: [resolve(root, 'cloud/dist/src/cli.js'), '--config', resolve(root, 'deploy/demo/cloud.yaml')],
    env: {
      GRIDSAFE_DATA_DIR: dataDir('cloud'),
      GRIDSAFE_SEED_FILE: resolve(root, 'deploy/demo/registry.json'),
      GRIDSAFE_HTTP_PORT: httpPort,
      GRIDSAFE_MQTT_PORT: mqttPort,
    },
  },
  {
    name: 'firmware-sim',
    args: [
      resolve(root, 'firmware-sim/dist/src/cli.js'),
      '--served-log',
      resolve(dataDir('firmware-sim'), 'served.jsonl'),
      '--truth',
      resolve(dataDir('firmware-sim'), 'truth.jsonl'),
    ],
    env: { GRIDSAFE_SIM_TCP_PORT: simPort, GRIDSAFE_SIM_RS485_PATH: line?.sim ?? '' },
  },
  {
    name: 'gateway',
    args: [...GATEWAY_NODE_FLAGS, resolve(root, 'gateway/dist/src/cli.js')],
    env: {
      GRIDSAFE_DATA_DIR: dataDir('gateway'),
      GRIDSAFE_BROKER_URL: process.env['GRIDSAFE_BROKER_URL'] ?? `mqtt://127.0.0.1:${mqttPort}`,
      GRIDSAFE_SIM_TCP_PORT: simPort,
      GRIDSAFE_DEMO_RS485_PATH: line?.gateway ?? '',
    },
  },
];

const running = new Map<string, ChildProcess>();
let stopping = false;

function start(program: Program): ChildProcess {
  const child = spawn(process.execPath, program.args, {
    env: { ...process.env, ...program.env },
    stdio: ['ignore', 'inherit', 'inherit'],
    // Own process group: a terminal's Ctrl-C reaches us, and we stop the children in order.
    detached: true,
  });
  running.set(program.name, child);
  child.on('exit', (code, signal) => {
    running.delete(program.name);
    if (!stopping) {
      log.error({ program: program.name, code, signal }, 'a program stopped unexpectedly; stopping the others');
      void stopAll(1);
    }
  });
  return child;
}

async function waitForCloud(): Promise<void> {
  const url = `http://127.0.0.1:${httpPort}/healthz`;
  for (let attempt = 0; attempt < 120 && !stopping; attempt++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`the cloud did not answer ${url} within 30 s`);
}

/** Stops the gateway first (it flushes its outbox), then the simulator, then the cloud. */
async function stopAll(exitCode: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const name of ['gateway', 'firmware-sim', 'cloud']) {
    const child = running.get(name);
    if (!child) continue;
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGTERM');
    const timedOut = await Promise.race([exited.then(() => false), sleep(10_000).then(() => true)]);
    if (timedOut) {
      log.warn({ program: name }, 'did not stop within 10 s; killing it');
      child.kill('SIGKILL');
    }
  }
  line?.socat.kill('SIGTERM');
  log.info('all stopped');
  process.exit(exitCode);
}

process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

const [cloud, simulator, gateway] = programs as [Program, Program, Program];
start(cloud);
try {
  await waitForCloud();
} catch (error) {
  log.error({ err: error }, 'the cloud did not start');
  await stopAll(1);
}
start(simulator);
start(gateway);
log.info(
  {
    alerts: `http://localhost:${httpPort}/api/v1/alerts`,
    series: `http://localhost:${httpPort}/api/v1/devices/m-001/series`,
    docs: `http://localhost:${httpPort}/docs`,
  },
  'gridsafe is running: the simulated transformer tx-001 is driven past its 100 kVA rating about 20 s from now; an overload alert follows. Ctrl-C stops everything.',
);
