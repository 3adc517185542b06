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
 * A DL/T 645 row: two DL/T 645-2007 meters alone on the bus at 2400 and 9600 baud (8E1),
 * read by the gateway's DL/T 645 pollers; reads per second against the line-rate limit of
 * the same reads: cycle = (request + reply characters)·tc + t3.5 + turnaround per read
 * (the meter's silence before it answers; the master keeps none between DL/T 645 frames,
 * src/dlt645/timing.ts), with the gateway's 4 wake-up bytes before each request and the
 * meters' 2 before each reply; beside it the ratio against the limit of a master that also
 * waits t3.5 after each reply (2·t3.5 a read, as before). And where a read's time went, as
 * the gateway saw it (serial-timing.ts): request written → the reply's last byte, against
 * the limit (the wire, the meter's silence and turnaround); the reply's last byte → the
 * next request (the limit has none).
 *
 * Options: --seconds S (8 per baud rate), --turnaround MS (2), --gap-fill N (50).
 * The last line is one JSON object:
 * {"bench":"serial","ratio":{"9600":r1,"19200":r2,"115200":r3},"dlt645":{"2400":r4,"9600":r5}}
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
import { Dlt645Poller } from '../src/dlt645/poller.js';
import { dlt645ReadCycleMs } from '../src/dlt645/timing.js';
import { planDlt645Reads } from '../src/dlt645/reads.js';
import { itemBytes } from '@gridsafe/shared';
import { TimedSerialLink, type ReadTiming } from './serial-timing.js';

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
const METERS = ['000000000001', '000000000002'];
/** FACTS.md: masters send 4 wake-up bytes; meters answer with 0 to 4 (the simulated ones here with 2). */
const DLT645_FRAMING = { preamble: 4, replyPreamble: 2 };

interface Result {
  baud: number;
  registersPerSecond: number;
  limitPerSecond: number;
  ratio: number;
  requests: number;
  errors: number;
}

/** A socat pty pair and the simulator (its own process) serving `devices` on it; `stop` ends both. */
async function startLine(
  baud: number,
  dir: string,
  name: string,
  devices: string[],
): Promise<{ path: string; stop: () => Promise<void> }> {
  const simEnd = join(dir, `sim-${name}`);
  const gwEnd = join(dir, `gw-${name}`);
  const socat = spawn('socat', [`pty,raw,echo=0,link=${simEnd}`, `pty,raw,echo=0,link=${gwEnd}`], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !(existsSync(simEnd) && existsSync(gwEnd)); i++) await sleep(50);
  const scenario = join(dir, `scenario-${name}.yaml`);
  writeFileSync(
    scenario,
    `name: bench ${name}\nseed: 3\ntickMs: 1000\nbuses: [{ id: rs485, kind: rtu, path: ${simEnd}, baudRate: ${baud}, parity: even, dataBits: 8, stopBits: 1, turnaroundMs: ${turnaroundMs} }]\ndevices:\n` +
      devices.map((d) => `  - ${d}\n`).join(''),
  );
  const sim = spawn(process.execPath, [SIM_CLI, '--scenario', scenario], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, GRIDSAFE_LOG_LEVEL: 'error' },
  });
  await sleep(1500);
  return {
    path: gwEnd,
    stop: async () => {
      sim.kill('SIGTERM');
      socat.kill('SIGTERM');
      await Promise.all([new Promise((r) => sim.once('exit', r)), new Promise((r) => socat.once('exit', r))]);
    },
  };
}

function serialBus(path: string, baud: number): SerialBusConfig {
  return {
    id: 'rs485',
    kind: 'serial',
    path,
    baudRate: baud,
    ...FORMAT,
    pauseMs: 0,
    reconnectMaxMs: DEFAULT_RECONNECT_MAX_MS,
    polling: { ...DEFAULT_POLLING, gapFill },
  };
}

async function runAt(baud: number, dir: string): Promise<Result> {
  const line = await startLine(
    baud,
    dir,
    String(baud),
    DEVICES.map(
      (d) =>
        `{ id: ${d.id}, profile: ${d.profile}, bus: rs485, unit: ${d.unit}, ctRatio: ${d.ctRatio}${d.profile === 'gridsafe-rcm4' ? '' : ', load: { baseKva: 50, pf: 0.95 }'} }`,
    ),
  );
  const busConfig = serialBus(line.path, baud);
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
  await line.stop();

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

interface Dlt645Result {
  baud: number;
  readsPerSecond: number;
  limitPerSecond: number;
  ratio: number;
  errors: number;
  /** Against the limit of a master that also keeps t3.5 after each reply. */
  ratioWithMasterSilence: number;
  timing: ReadTiming;
  /** The limit of a read: request and reply on the wire plus the meter's silence and turnaround. */
  limitReadMs: number;
}

/** Two DL/T 645 meters alone on the bus, polled back to back: reads per second against the line-rate limit. */
async function runDlt645At(baud: number, dir: string): Promise<Dlt645Result> {
  const line = await startLine(
    baud,
    dir,
    `dlt645-${baud}`,
    METERS.map(
      (address, i) =>
        `{ id: d-${i + 1}, profile: dlt645-3p, bus: rs485, address: "${address}", preamble: ${DLT645_FRAMING.replyPreamble}, load: { baseKva: 5 } }`,
    ),
  );
  const busConfig = serialBus(line.path, baud);
  const link = new TimedSerialLink(busConfig);
  const bus = new Bus(busConfig, link, log);
  const profile = profiles.get('dlt645-3p')!;
  const pollers = METERS.map(
    (address, i) =>
      new Dlt645Poller(
        {
          id: `d-${i + 1}`,
          bus: 'rs485',
          unit: 0,
          dlt645: { address, preamble: DLT645_FRAMING.preamble, utcOffsetMinutes: 480 },
          profile,
          ctRatio: 1,
          ptRatio: 1,
          pollIntervalMs: 1000,
          maxRegistersPerRequest: 125,
          polling: busConfig.polling,
        },
        bus,
        () => undefined,
        () => undefined,
        log,
      ),
  );
  for (const p of pollers) await p.pollNow();
  link.reset();
  const okBefore = pollers.reduce((sum, p) => sum + p.stats.ok, 0);
  const requestsBefore = bus.stats.requests;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    pollers.map(async (poller) => {
      while (performance.now() < deadline) await poller.pollNow();
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const reads = pollers.reduce((sum, p) => sum + p.stats.ok, 0) - okBefore;
  await bus.stop();
  await line.stop();
  // The line-rate limit of one round of the same reads (each meter's reads once).
  const limitOf = (masterSilence: boolean) => {
    const cycles = pollers.flatMap((p) =>
      p.reads.map((read) =>
        dlt645ReadCycleMs(
          read.items.reduce((sum, item) => sum + itemBytes(item), 0),
          baud,
          FORMAT,
          {
            ...DLT645_FRAMING,
            turnaroundMs,
            masterSilence,
          },
        ),
      ),
    );
    return (cycles.length / cycles.reduce((a, b) => a + b, 0)) * 1000;
  };
  const limitPerSecond = limitOf(false);
  const readsPerSecond = reads / elapsed;
  return {
    baud,
    readsPerSecond,
    limitPerSecond,
    ratio: readsPerSecond / limitPerSecond,
    ratioWithMasterSilence: readsPerSecond / limitOf(true),
    errors: bus.stats.requests - requestsBefore - reads,
    timing: link.timing(),
    limitReadMs: 1000 / limitPerSecond,
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
    `DL/T 645-2007: two meters (dlt645-3p, ${planDlt645Reads(profiles.get('dlt645-3p')!).length} reads a poll each) alone on the bus, 8E1`,
  );
  out(
    '   baud   achieved reads/s   line-rate limit reads/s   ratio   errors   request→reply end ms (limit)   reply end→next request ms   ratio if the master kept t3.5',
  );
  const dlt645: Dlt645Result[] = [];
  for (const baud of [2400, 9600]) {
    const r = await runDlt645At(baud, dir);
    dlt645.push(r);
    const { exchangeMs, turnMs } = r.timing;
    out(
      `${String(baud).padStart(7)}   ${r.readsPerSecond.toFixed(2).padStart(16)}   ${r.limitPerSecond.toFixed(2).padStart(23)}   ${r.ratio.toFixed(3).padStart(5)}   ${String(r.errors).padStart(6)}   ${`${exchangeMs.toFixed(1)} (${r.limitReadMs.toFixed(1)})`.padStart(28)}   ${turnMs.toFixed(2).padStart(25)}   ${r.ratioWithMasterSilence.toFixed(3).padStart(29)}`,
    );
  }
  out('');
  const ratios = (list: Array<{ baud: number; ratio: number }>) =>
    Object.fromEntries(list.map((r) => [String(r.baud), Math.round(r.ratio * 1000) / 1000]));
  out(JSON.stringify({ bench: 'serial', ratio: ratios(results), dlt645: ratios(dlt645) }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
