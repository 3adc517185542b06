/**
 * npm run bench:footprint — what the gateway process costs on a small box (issue 14):
 * its peak resident memory and its share of one CPU core over a measured window, with a
 * substation-sized configuration polled every second:
 *   - two RS-485 buses at 19200 8E1 over socat pseudo-terminals, 11 devices each
 *     (5 DTSU666 meters and 6 RCM-4 terminals: about 0.65 s of bus time a second);
 *   - one Modbus TCP link with 10 devices (4 DTSU666, 3 SDM630, 3 RCM-4);
 * 32 devices in all, against the simulator (firmware-sim CLI, its own process), publishing
 * to an MQTT broker (aedes) in this process. The gateway is the dist CLI in its own
 * process, so /proc gives its own CPU time and peak RSS (VmHWM).
 *
 * Baseline, measured in the same run: an idle Node.js process (a timer and nothing else),
 * what any Node service costs before doing anything. Readings delivered over the window
 * are counted against 32 × seconds, to show the work was done.
 *
 * Targets: peak RSS ≤ 80 MB (an embedded gateway box has 256-512 MB in all), CPU ≤ 3 % of
 * one core. Options: --seconds S measured (60), --warmup S (10), --node-args=FLAGS for the
 * gateway process (by default the flags it ships with, src/node-flags.ts; `--node-args=`
 * for none).
 * Last line: {"bench":"footprint","peakRssMb":n,"cpuShare":n} (cpuShare: fraction of one core).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { Aedes } from 'aedes';
import { freePort } from '@gridsafe/testkit';
import { ptyPair, type PtyPair } from '../test/support/pty.js';
import { GATEWAY_NODE_FLAGS } from '../src/node-flags.js';
import { cpuSeconds, peakRssMb } from './process-stats.js';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    warmup: { type: 'string', default: '10' },
    'node-args': { type: 'string', default: GATEWAY_NODE_FLAGS.join(' ') },
  },
});
/** V8/Node flags for the gateway process: those it ships with, or others to see what they change. */
const nodeArgs = args['node-args'].split(' ').filter(Boolean);
const seconds = Number(args.seconds);
const warmup = Number(args.warmup);
if (!(seconds > 0) || !(warmup >= 0)) {
  process.stderr.write('bench:footprint: --seconds must be > 0 and --warmup ≥ 0\n');
  process.exit(2);
}
const TARGET_RSS_MB = 80;
const TARGET_CPU_SHARE = 0.03;
const BAUD = 19200;
const out = (line = '') => process.stdout.write(`${line}\n`);
const here = (rel: string) => fileURLToPath(new URL(rel, import.meta.url));
const GATEWAY_CLI = here('../../gateway/dist/src/cli.js');
const SIM_CLI = here('../../firmware-sim/dist/src/cli.js');

interface DeviceSpec {
  id: string;
  profile: 'dtsu666' | 'sdm630' | 'gridsafe-rcm4';
  bus: string;
  unit: number;
}

function fleet(): DeviceSpec[] {
  const devices: DeviceSpec[] = [];
  for (const bus of ['rs485-1', 'rs485-2']) {
    for (let k = 0; k < 11; k++)
      devices.push({ id: `${bus}-${k + 1}`, profile: k < 5 ? 'dtsu666' : 'gridsafe-rcm4', bus, unit: k + 1 });
  }
  for (let k = 0; k < 10; k++)
    devices.push({
      id: `lan-${k + 1}`,
      profile: k < 4 ? 'dtsu666' : k < 7 ? 'sdm630' : 'gridsafe-rcm4',
      bus: 'lan',
      unit: k + 1,
    });
  return devices;
}

/** Peak RSS of an idle Node.js process after `ms`: the floor any Node service starts from. */
async function idleNodeRssMb(ms: number): Promise<number> {
  const idle = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  await sleep(ms);
  const rss = peakRssMb(idle.pid!);
  idle.kill('SIGTERM');
  await new Promise((resolve) => idle.once('exit', resolve));
  return rss;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

const dir = mkdtempSync(join(tmpdir(), 'bench-footprint-'));
const ptys: PtyPair[] = [];
const children: ChildProcess[] = [];
const broker = await Aedes.createBroker();
const server = createServer(broker.handle);
try {
  const devices = fleet();
  for (const bus of ['rs485-1', 'rs485-2']) ptys.push(await ptyPair(dir, bus));
  const lanPort = await freePort();
  const scenario = {
    name: 'bench footprint',
    seed: 14,
    buses: [
      ...ptys.map((p, i) => ({
        id: `rs485-${i + 1}`,
        kind: 'rtu',
        path: p.sim,
        baudRate: BAUD,
        parity: 'even',
        turnaroundMs: 2,
      })),
      { id: 'lan', kind: 'tcp', host: '127.0.0.1', port: lanPort },
    ],
    devices: devices.map((d) => ({
      ...d,
      ...(d.profile === 'gridsafe-rcm4' ? {} : { load: { baseKva: 80, pf: 0.93 } }),
    })),
  };
  const scenarioPath = join(dir, 'scenario.json');
  writeFileSync(scenarioPath, JSON.stringify(scenario));
  const sim = spawn(process.execPath, [SIM_CLI, '--scenario', scenarioPath], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, GRIDSAFE_LOG_LEVEL: 'error' },
  });
  children.push(sim);
  await sleep(1500);

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const brokerPort = (server.address() as { port: number }).port;
  const config = {
    gateway: { id: 'gw-footprint' },
    mqtt: { url: `mqtt://127.0.0.1:${brokerPort}` },
    dataDir: join(dir, 'data'),
    buses: [
      ...ptys.map((p, i) => ({
        id: `rs485-${i + 1}`,
        kind: 'serial',
        path: p.gateway,
        baudRate: BAUD,
        parity: 'even',
      })),
      { id: 'lan', kind: 'tcp', host: '127.0.0.1', port: lanPort },
    ],
    devices: devices.map((d) => ({ ...d, pollInterval: '1s' })),
  };
  const configPath = join(dir, 'gateway.json');
  writeFileSync(configPath, JSON.stringify(config));

  let readings = 0;
  broker.on('publish', (packet, client) => {
    if (!client || !packet.topic.endsWith('/telemetry')) return;
    readings += (JSON.parse(packet.payload.toString()) as { readings: unknown[] }).readings.length;
  });
  // The defaults a field install runs with: info logs (to a discarded stdout), fsync on every outbox commit.
  const gateway = spawn(process.execPath, [...nodeArgs, GATEWAY_CLI, '--config', configPath], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, GRIDSAFE_LOG_LEVEL: 'info', GRIDSAFE_BROKER_URL: '', GRIDSAFE_DATA_DIR: '' },
  });
  children.push(gateway);
  const pid = gateway.pid!;

  out(
    `bench:footprint: the gateway process (dist CLI${nodeArgs.length ? ` with ${nodeArgs.join(' ')}` : ''}), ${devices.length} devices polled every 1 s: 2 RS-485 buses at ${BAUD} 8E1 over socat ptys (11 devices each) and 1 Modbus TCP link (10 devices), against the simulator; ${warmup} s warm-up, ${seconds} s measured`,
  );
  await sleep(warmup * 1000);
  const cpu0 = cpuSeconds(pid);
  const readings0 = readings;
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const cpu1 = cpuSeconds(pid);
  const span = (performance.now() - t0) / 1000;
  const peak = peakRssMb(pid);
  const delivered = readings - readings0;
  const cpuShare = (cpu1 - cpu0) / span;
  await stopChild(gateway);
  const idle = await idleNodeRssMb(3000);

  out('');
  out('figure                          measured     target     baseline (idle Node.js)   ratio to baseline');
  out(
    `peak RSS, MB                    ${peak.toFixed(1).padStart(8)}   ${`≤ ${TARGET_RSS_MB}`.padStart(8)}   ${idle.toFixed(1).padStart(23)}   ${(peak / idle).toFixed(2).padStart(17)}`,
  );
  out(
    `CPU, share of one core          ${cpuShare.toFixed(4).padStart(8)}   ${`≤ ${TARGET_CPU_SHARE}`.padStart(8)}   ${'-'.padStart(23)}   ${'-'.padStart(17)}`,
  );
  out(
    `readings delivered              ${String(delivered).padStart(8)}   ${String(Math.round(devices.length * span)).padStart(8)}   (${((delivered / (devices.length * span)) * 100).toFixed(1)} % of one reading per device per second)`,
  );
  out(
    `targets: RSS ${peak <= TARGET_RSS_MB ? 'met' : 'MISSED'}, CPU ${cpuShare <= TARGET_CPU_SHARE ? 'met' : 'MISSED'}`,
  );
  out('');
  out(
    JSON.stringify({
      bench: 'footprint',
      peakRssMb: Math.round(peak * 10) / 10,
      cpuShare: Math.round(cpuShare * 10_000) / 10_000,
    }),
  );
} finally {
  for (const child of children.reverse()) await stopChild(child);
  for (const pty of ptys) await pty.close();
  await new Promise<void>((resolve) => broker.close(() => resolve()));
  server.close();
  rmSync(dir, { recursive: true, force: true });
}
