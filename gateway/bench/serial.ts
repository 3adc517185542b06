/**
 * npm run bench:serial — registers per second the gateway achieves on a Modbus RTU bus,
 * against the line-rate limit of the same requests (issue 3; FACTS.md "Modbus over serial
 * line: timing").
 *
 * For 9600, 19200 and 115200 baud (8E1): a socat pseudo-terminal pair; the simulator in
 * its own process (firmware-sim CLI) serving a DTSU666, an SDM630 and an RCM-4 terminal
 * on one bus, pacing its bytes at the baud rate with a device turnaround; the gateway's
 * own bus scheduler and device pollers in this process, polling back to back for a fixed
 * time. The baseline, computed for the same requests and turnaround, is the FACTS.md
 * line-rate limit: cycle = (8 + 5 + 2N)·tc + 2·t3.5 + turnaround per request.
 *
 * Options: --seconds S (8 per baud rate), --turnaround MS (2), --gap-fill N (50).
 * The last line is one JSON object: {"bench":"serial","ratio":{"9600":r1,"19200":r2,"115200":r3}}
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger, loadBuiltinProfiles } from '@gridsafe/shared';
import { DEFAULT_POLLING, DEFAULT_RECONNECT_MAX_MS } from '../src/config/load.js';
import type { DeviceConfig, SerialBusConfig } from '../src/config/types.js';
import { Bus } from '../src/modbus/bus.js';
import { ModbusSerialLink } from '../src/modbus/link.js';
import { readCycleMs } from '../src/modbus/timing.js';
import { DevicePoller } from '../src/poll/device-poller.js';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '8' },
    turnaround: { type: 'string', default: '2' },
    'gap-fill': { type: 'string', default: '50' },
  },
});
const seconds = Number(args.seconds);
const turnaroundMs = Number(args.turnaround);
const gapFill = Number(args['gap-fill']);
if (!(seconds > 0) || !(turnaroundMs >= 0) || !(gapFill >= 0)) {
  process.stderr.write('bench:serial: --seconds must be > 0, --turnaround and --gap-fill ≥ 0\n');
  process.exit(2);
}

const out = (line = '') => process.stdout.write(`${line}\n`);
const log = createLogger('bench-serial', { level: 'error' });
const profiles = loadBuiltinProfiles();
const SIM_CLI = fileURLToPath(new URL('../../firmware-sim/dist/src/cli.js', import.meta.url));
const DEVICES = [
  { id: 'm-1', profile: 'dtsu666', unit: 1, ctRatio: 60 },
  { id: 's-2', profile: 'sdm630', unit: 2, ctRatio: 1 },
  { id: 't-3', profile: 'gridsafe-rcm4', unit: 3, ctRatio: 1 },
];
const FORMAT = { dataBits: 8 as const, parity: 'even' as const, stopBits: 1 as const };

interface Result {
  baud: number;
  registersPerSecond: number;
  limitPerSecond: number;
  ratio: number;
  requests: number;
  errors: number;
}

async function runAt(baud: number, dir: string): Promise<Result> {
  const simEnd = join(dir, `sim-${baud}`);
  const gwEnd = join(dir, `gw-${baud}`);
  const socat = spawn('socat', [`pty,raw,echo=0,link=${simEnd}`, `pty,raw,echo=0,link=${gwEnd}`], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !(existsSync(simEnd) && existsSync(gwEnd)); i++) await sleep(50);
  const scenario = join(dir, `scenario-${baud}.yaml`);
  writeFileSync(
    scenario,
    `name: bench ${baud}\nseed: 3\ntickMs: 1000\nbuses: [{ id: rs485, kind: rtu, path: ${simEnd}, baudRate: ${baud}, parity: even, dataBits: 8, stopBits: 1, turnaroundMs: ${turnaroundMs} }]\ndevices:\n` +
      DEVICES.map(
        (d) =>
          `  - { id: ${d.id}, profile: ${d.profile}, bus: rs485, unit: ${d.unit}, ctRatio: ${d.ctRatio}${d.profile === 'gridsafe-rcm4' ? '' : ', load: { baseKva: 50, pf: 0.95 }'} }`,
      ).join('\n') +
      '\n',
  );
  const sim = spawn(process.execPath, [SIM_CLI, '--scenario', scenario], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, GRIDSAFE_LOG_LEVEL: 'error' },
  });
  await sleep(1500);

  const busConfig: SerialBusConfig = {
    id: 'rs485',
    kind: 'serial',
    path: gwEnd,
    baudRate: baud,
    ...FORMAT,
    pauseMs: 0,
    reconnectMaxMs: DEFAULT_RECONNECT_MAX_MS,
    polling: { ...DEFAULT_POLLING, gapFill },
  };
  const bus = new Bus(busConfig, new ModbusSerialLink(busConfig), log);
  const pollers = DEVICES.map((d) => {
    const profile = profiles.get(d.profile)!;
    const device: DeviceConfig = {
      id: d.id,
      bus: 'rs485',
      unit: d.unit,
      profile,
      ctRatio: d.ctRatio,
      ptRatio: 1,
      pollIntervalMs: 1000,
      maxRegistersPerRequest: profile.maxRegistersPerRequest,
      polling: busConfig.polling,
    };
    return new DevicePoller(
      device,
      bus,
      () => undefined,
      () => undefined,
      log,
    );
  });
  // Warm-up: open the port, one round.
  for (const p of pollers) await p.pollNow();

  const before = { ok: bus.stats.ok, requests: bus.stats.requests };
  let registers = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    pollers.map(async (poller) => {
      const perPoll = poller.plan.reduce((sum, r) => sum + r.count, 0);
      while (performance.now() < deadline) {
        const okBefore = poller.stats.ok;
        await poller.pollNow();
        // Count only registers of requests that succeeded.
        const okNow = poller.stats.ok - okBefore;
        registers += okNow === poller.plan.length ? perPoll : Math.round((perPoll * okNow) / poller.plan.length);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  if (process.env['BENCH_DEBUG']) process.stderr.write(`${baud}: ${JSON.stringify(bus.health())}\n`);
  await bus.stop();
  sim.kill('SIGTERM');
  socat.kill('SIGTERM');
  await Promise.all([new Promise((r) => sim.once('exit', r)), new Promise((r) => socat.once('exit', r))]);

  // The line-rate limit of one round of the same requests (each device's plan once).
  const requests = pollers.flatMap((p) => p.plan);
  const roundMs = requests.reduce((sum, r) => sum + readCycleMs(r.count, baud, FORMAT, turnaroundMs), 0);
  const roundRegisters = requests.reduce((sum, r) => sum + r.count, 0);
  const limitPerSecond = (roundRegisters / roundMs) * 1000;
  const registersPerSecond = registers / elapsed;
  return {
    baud,
    registersPerSecond,
    limitPerSecond,
    ratio: registersPerSecond / limitPerSecond,
    requests: bus.stats.requests - before.requests,
    errors: bus.stats.requests - before.requests - (bus.stats.ok - before.ok),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'bench-serial-'));
try {
  out(
    `bench:serial: 3 slaves (DTSU666, SDM630, RCM-4) on one bus, 8E1, device turnaround ${turnaroundMs} ms, gap fill ${gapFill}, ${seconds} s per baud rate`,
  );
  const plans = DEVICES.map((d) => d.profile);
  out(`requests per round: ${plans.join(', ')}; baseline: FACTS.md line-rate limit for the same requests`);
  out('');
  out('   baud   achieved reg/s   line-rate limit reg/s   ratio   requests   errors');
  const results: Result[] = [];
  for (const baud of [9600, 19200, 115200]) {
    const r = await runAt(baud, dir);
    results.push(r);
    out(
      `${String(baud).padStart(7)}   ${r.registersPerSecond.toFixed(1).padStart(14)}   ${r.limitPerSecond.toFixed(1).padStart(21)}   ${r.ratio.toFixed(3).padStart(5)}   ${String(r.requests).padStart(8)}   ${String(r.errors).padStart(6)}`,
    );
  }
  out('');
  out(
    JSON.stringify({
      bench: 'serial',
      ratio: Object.fromEntries(results.map((r) => [String(r.baud), Math.round(r.ratio * 1000) / 1000])),
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
