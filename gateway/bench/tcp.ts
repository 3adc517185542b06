/**
 * npm run bench:tcp — the gateway process polling Modbus TCP devices: points per second
 * decoded and queued into the outbox, its CPU seconds and peak memory (issue 3).
 *
 * Two loads, each on the real gateway CLI in its own process (so /proc gives its own
 * CPU time and peak RSS), polling a minimal Modbus TCP slave in another process, and
 * publishing to an MQTT broker (aedes) in this one:
 *   A. 500 devices × 30 registers every 1 s        (15,000 points a second)
 *   B. 500 devices × 30 registers every 150 ms     (100,000 points a second)
 * A point is one decoded value. The devices use a benchmark profile of 30 contiguous
 * int16 registers (bench/profiles/bench30.json), like the contiguous-address simulator
 * behind NeuronEX's published figure (100,000 points/s at ~1.2 cores and 497 MB, i.e.
 * about 83,000 points per CPU-second), which is the baseline printed for comparison.
 *
 * Options: --seconds S measured per load (10), --warmup S (4).
 * Last line: {"bench":"tcp","pointsPerCpuSecond":n,"peakRssMb":m} (load B; peak over both).
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
import { cpuSeconds, peakRssMb } from './process-stats.js';

const { values: args } = parseArgs({
  options: { seconds: { type: 'string', default: '10' }, warmup: { type: 'string', default: '4' } },
});
const seconds = Number(args.seconds);
const warmup = Number(args.warmup);
if (!(seconds > 0) || !(warmup >= 0)) {
  process.stderr.write('bench:tcp: --seconds must be > 0 and --warmup ≥ 0\n');
  process.exit(2);
}
const out = (line = '') => process.stdout.write(`${line}\n`);
const here = (rel: string) => fileURLToPath(new URL(rel, import.meta.url));
const GATEWAY_DIST_CLI = here('../../gateway/dist/src/cli.js');
const NEURONEX_POINTS_PER_CPU_S = 100_000 / 1.2; // FACTS.md: 100,000 points/s at 30 % of 4 cores (~1.2 cores)

interface Load {
  name: string;
  devices: number;
  pollMs: number;
}

interface Sample {
  at: number;
  values: number;
  cpu: number;
}

async function startSlave(ports: number): Promise<{ child: ChildProcess; ports: number[] }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', here('./tcp/slave.ts'), ...Array.from({ length: ports }, () => '0')],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const line = await new Promise<string>((resolve) => {
    let text = '';
    child.stdout!.on('data', (c: Buffer) => {
      text += c.toString();
      if (text.includes('\n')) resolve(text.split('\n')[0]!);
    });
  });
  return { child, ports: line.split(' ').slice(1).map(Number) };
}

async function runLoad(
  load: Load,
  dir: string,
): Promise<{
  pointsPerSecond: number;
  cpuPerSecond: number;
  pointsPerCpuSecond: number;
  peakRssMb: number;
  deliveredPerSecond: number;
}> {
  const perBus = 100;
  const buses = Math.ceil(load.devices / perBus);
  const slave = await startSlave(buses);
  const broker = await Aedes.createBroker();
  const server = createServer(broker.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const brokerPort = (server.address() as { port: number }).port;

  const config = {
    gateway: { id: 'gw-bench' },
    mqtt: { url: `mqtt://127.0.0.1:${brokerPort}`, statusInterval: '1s', inflight: 32 },
    dataDir: join(dir, `data-${load.pollMs}`),
    batch: { maxAge: '1s', maxReadings: 1000, maxBytes: '120KiB' },
    outbox: { maxBytes: '512MiB' },
    profiles: { dir: here('./profiles') },
    buses: slave.ports.map((port, i) => ({
      id: `tcp-${i + 1}`,
      kind: 'tcp',
      host: '127.0.0.1',
      port,
      maxInFlight: 32,
    })),
    devices: Array.from({ length: load.devices }, (_, k) => ({
      id: `d-${String(k + 1).padStart(4, '0')}`,
      bus: `tcp-${Math.floor(k / perBus) + 1}`,
      unit: (k % perBus) + 1,
      profile: 'bench30',
      pollInterval: `${load.pollMs}ms`,
    })),
    jobs: { midnightEnergy: { enabled: false } },
  };
  const configPath = join(dir, `gw-${load.pollMs}.json`);
  writeFileSync(configPath, JSON.stringify(config));

  const gateway = spawn(process.execPath, [GATEWAY_DIST_CLI, '--config', configPath], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, GRIDSAFE_LOG_LEVEL: 'warn', GRIDSAFE_BROKER_URL: '', GRIDSAFE_DATA_DIR: '' },
  });
  const pid = gateway.pid!;
  const samples: Sample[] = [];
  let deliveredValues = 0;
  let deliveredAt: Array<{ at: number; values: number }> = [];
  broker.on('publish', (packet, client) => {
    if (!client) return;
    if (packet.topic.endsWith('/status')) {
      const health = JSON.parse(packet.payload.toString()).health as
        { at: number; readings: { values: number } } | undefined;
      if (health && gateway.exitCode === null) {
        try {
          samples.push({ at: health.at, values: health.readings.values, cpu: cpuSeconds(pid) });
        } catch {
          // the process just ended
        }
      }
    } else if (packet.topic.endsWith('/telemetry')) {
      const batch = JSON.parse(packet.payload.toString()) as { readings: Array<{ values: Record<string, number> }> };
      for (const r of batch.readings) deliveredValues += Object.keys(r.values).length;
      deliveredAt.push({ at: Date.now(), values: deliveredValues });
    }
  });
  await sleep(warmup * 1000);
  const from = samples.length;
  const deliveredFrom = deliveredAt.length;
  await sleep(seconds * 1000);
  const peak = peakRssMb(pid);
  const first = samples[from];
  const last = samples.at(-1);
  const d0 = deliveredAt[deliveredFrom];
  const d1 = deliveredAt.at(-1);
  gateway.kill('SIGTERM');
  await new Promise((resolve) => gateway.once('exit', resolve));
  slave.child.kill('SIGTERM');
  await new Promise((resolve) => slave.child.once('exit', resolve));
  await new Promise<void>((resolve) => broker.close(() => resolve()));
  server.close();
  if (!first || !last || last.at <= first.at)
    throw new Error('bench:tcp: no status samples from the gateway; did it start?');
  const span = (last.at - first.at) / 1000;
  const pointsPerSecond = (last.values - first.values) / span;
  const cpuPerSecond = (last.cpu - first.cpu) / span;
  const deliveredPerSecond = d0 && d1 && d1.at > d0.at ? (d1.values - d0.values) / ((d1.at - d0.at) / 1000) : 0;
  deliveredAt = [];
  return {
    pointsPerSecond,
    cpuPerSecond,
    pointsPerCpuSecond: pointsPerSecond / cpuPerSecond,
    peakRssMb: peak,
    deliveredPerSecond,
  };
}

const dir = mkdtempSync(join(tmpdir(), 'bench-tcp-'));
try {
  out(
    `bench:tcp: the gateway process (dist CLI) polling Modbus TCP devices of 30 int16 registers; ${warmup} s warm-up, ${seconds} s measured per load`,
  );
  out(
    `baseline: NeuronEX 3.2.1 published ${Math.round(NEURONEX_POINTS_PER_CPU_S)} points per CPU-second at 497 MB (FACTS.md); target ≥ 100,000 points per CPU-second, < 300 MB`,
  );
  out('');
  out(
    'load                                    target pts/s   decoded+queued pts/s   delivered pts/s   CPU s/s   pts per CPU-s   vs NeuronEX   peak RSS MB',
  );
  const loads: Load[] = [
    { name: 'A: 500 devices x 30 registers @ 1 s', devices: 500, pollMs: 1000 },
    { name: 'B: 500 devices x 30 registers @ 150 ms', devices: 500, pollMs: 150 },
  ];
  const results = [];
  for (const load of loads) {
    const r = await runLoad(load, dir);
    results.push(r);
    const target = (load.devices * 30 * 1000) / load.pollMs;
    out(
      `${load.name.padEnd(40)}${Math.round(target).toString().padStart(12)}   ${Math.round(r.pointsPerSecond).toString().padStart(20)}   ${Math.round(r.deliveredPerSecond).toString().padStart(15)}   ${r.cpuPerSecond.toFixed(3).padStart(7)}   ${Math.round(r.pointsPerCpuSecond).toString().padStart(13)}   ${(r.pointsPerCpuSecond / NEURONEX_POINTS_PER_CPU_S).toFixed(2).padStart(11)}   ${r.peakRssMb.toFixed(1).padStart(11)}`,
    );
  }
  out('');
  const b = results[1]!;
  out(
    JSON.stringify({
      bench: 'tcp',
      pointsPerCpuSecond: Math.round(b.pointsPerCpuSecond),
      peakRssMb: Math.round(Math.max(...results.map((r) => r.peakRssMb)) * 10) / 10,
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
