/**
 * Benchmark: how closely the simulator's RTU pacing keeps the wire's time. A minimal
 * master (raw serialport, frames found by length) reads 125-register and 1-register
 * blocks back to back over a socat pty pair at 9600, 19200 and 115200 baud 8E1, waiting
 * t3.5 between requests; it prints the cycle achieved against the line-rate formula of
 * FACTS.md, (8 + 5 + 2N)·tc + 2·t3.5 + turnaround, and their ratio (1.0 = the wire).
 * Last line: {"bench":"rtu-pacing","ratio":{"9600":..,"19200":..,"115200":..}}.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { SerialPort } from 'serialport';
import { createLogger, loadBuiltinProfiles } from '@gridsafe/shared';
import { parseScenarioText, startSimulator, wireTiming, withCrc } from '../src/index.js';

const TURNAROUND_MS = 2;
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 3);

async function run(baud: number, count: number, dir: string): Promise<{ achieved: number; wire: number }> {
  const a = join(dir, `a-${baud}-${count}`);
  const b = join(dir, `b-${baud}-${count}`);
  const socat = spawn('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' });
  try {
    while (!existsSync(a) || !existsSync(b)) await sleep(20);
    const scenario = parseScenarioText(
      `buses: [{ id: r, kind: rtu, path: ${a}, baudRate: ${baud}, parity: even, turnaroundMs: ${TURNAROUND_MS} }]\ndevices: [{ id: s, profile: sdm630, bus: r, unit: 1, load: { baseKva: 10 } }]\n`,
      'bench',
    );
    const sim = await startSimulator(scenario, {
      logger: createLogger('bench', { level: 'warn' }),
      profiles: loadBuiltinProfiles(),
    });
    const port = new SerialPort({ path: b, baudRate: baud, parity: 'even', autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
    const timing = wireTiming({ baudRate: baud, parity: 'even', dataBits: 8, stopBits: 1 });
    const replyLength = 5 + 2 * count;
    const request = withCrc(Buffer.from([1, 4, 0, 0, 0, count]));
    let got = 0;
    let wake: (() => void) | undefined;
    port.on('data', (d: Buffer) => {
      got += d.length;
      if (got >= replyLength && wake) wake();
    });
    let cycles = 0;
    const started = performance.now();
    while (performance.now() - started < SECONDS * 1000) {
      got = 0;
      const done = new Promise<void>((resolve) => (wake = resolve));
      port.write(request);
      await done;
      cycles++;
      // The master's own t3.5 before the next request.
      const until = performance.now() + timing.t35Ms;
      while (performance.now() < until) await new Promise((r) => setImmediate(r));
    }
    const achieved = (performance.now() - started) / cycles;
    await new Promise<void>((resolve) => port.close(() => resolve()));
    await sim.stop();
    return { achieved, wire: (8 + replyLength) * timing.charMs + 2 * timing.t35Ms + TURNAROUND_MS };
  } finally {
    socat.kill('SIGTERM');
  }
}

const dir = mkdtempSync(join(tmpdir(), 'gridsafe-pacing-'));
const ratio: Record<string, number> = {};
try {
  for (const baud of [9600, 19200, 115200]) {
    for (const count of [76, 1]) {
      const r = await run(baud, count, dir);
      process.stdout.write(
        `${baud} baud, ${count} registers/request: cycle ${r.achieved.toFixed(2)} ms, wire ${r.wire.toFixed(2)} ms, wire/achieved ${(r.wire / r.achieved).toFixed(3)}\n`,
      );
      if (count === 76) ratio[String(baud)] = Number((r.wire / r.achieved).toFixed(3));
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.stdout.write(`${JSON.stringify({ bench: 'rtu-pacing', ratio })}\n`);
