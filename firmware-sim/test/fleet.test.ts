/** A fleet from a shipped scenario file: many devices across RTU buses and TCP ports; and time compression from the CLI. */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadScenarioFile, startSimulator, type Scenario } from '../src/index.js';
import { runCli } from './support/child.js';
import { ModbusRTU, closeClient, profiles, quietLog, tcpClient, tempDir } from './support/helpers.js';
import { ptyPair } from './support/socat.js';

const SCENARIOS = fileURLToPath(new URL('../scenarios/', import.meta.url));

t.test('substation.yaml: two RS-485 buses and a TCP port, every device answers at its address', async (t) => {
  const dir = tempDir(t);
  const bus1 = await ptyPair(dir, t, 'bus1');
  const bus2 = await ptyPair(dir, t, 'bus2');
  const file = loadScenarioFile(join(SCENARIOS, 'substation.yaml'), { profiles });
  // Tests never use fixed ports or shared paths: point the buses at this test's pty pair and a free port.
  const scenario: Scenario = {
    ...file,
    events: [],
    buses: file.buses.map((b) =>
      b.kind === 'tcp' ? { ...b, port: 0 } : { ...b, path: b.id === 'bus1' ? bus1.a : bus2.a },
    ),
  };
  const sim = await startSimulator(scenario, { logger: quietLog, profiles });
  t.teardown(() => sim.stop());
  t.equal(sim.devices.length, 14);

  for (const [bus, pty] of [
    ['bus1', bus1],
    ['bus2', bus2],
  ] as const) {
    const client = new ModbusRTU();
    await client.connectRTUBuffered(pty.b, { baudRate: 9600, parity: 'even', dataBits: 8, stopBits: 1 });
    client.setTimeout(1000);
    for (const device of scenario.devices.filter((d) => d.bus === bus)) {
      // bus2's devices ignore a request sooner than 5 ms after the last reply (minRequestGapMs).
      await sleep(10);
      client.setID(device.unit);
      const before = sim.current(device.id).values;
      const res =
        device.profile === 'sdm630'
          ? await client.readInputRegisters(0, 2)
          : device.profile === 'dtsu666'
            ? await client.readHoldingRegisters(0x2006, 2)
            : await client.readHoldingRegisters(0, 1);
      const value =
        device.profile === 'gridsafe-rcm4'
          ? res.data[0]!
          : Buffer.from(res.buffer).readFloatBE(0) / (device.profile === 'dtsu666' ? 10 : 1);
      // The state served when the request was answered: the one before the read, or after it if a tick fell between.
      const expected = [before, sim.current(device.id).values].map((v) =>
        device.profile === 'gridsafe-rcm4' ? v.i_res_ma! : v.v_a!,
      );
      t.ok(
        expected.some((e) => Math.abs(value - e) < 1e-3 * Math.max(1, e)),
        `${bus} unit ${device.unit} (${device.id}, ${device.profile}) answers (${value})`,
      );
    }
    await closeClient(client);
  }
  const lan = await tcpClient(sim.tcp[0]!.port);
  t.teardown(() => closeClient(lan));
  lan.setID(2);
  t.ok((await lan.readHoldingRegisters(0, 1)).data[0]! > 100, 'the LAN terminal answers over TCP');
});

t.test('tcp-fleet.yaml: 500 meters behind five TCP ports', async (t) => {
  const file = loadScenarioFile(join(SCENARIOS, 'tcp-fleet.yaml'), { profiles });
  const sim = await startSimulator(
    { ...file, buses: file.buses.map((b) => ({ ...b, port: 0 })) },
    { logger: quietLog, profiles },
  );
  t.teardown(() => sim.stop());
  t.equal(sim.tcp.length, 5);
  t.equal(new Set(sim.tcp.map((b) => b.port)).size, 5, 'five distinct ports');
  for (const [k, bus] of sim.tcp.entries()) {
    const client = await tcpClient(bus.port);
    client.setID(100);
    const id = `m-${String(k + 1 + 5 * 99).padStart(4, '0')}`;
    const res = await client.readHoldingRegisters(0x200c, 2);
    t.ok(
      Math.abs((Buffer.from(res.buffer).readFloatBE(0) / 1000) * 40 - sim.current(id).values.i_a!) < 1e-3,
      `port ${k + 1}, unit 100 is ${id}`,
    );
    await closeClient(client);
  }
});

t.test('--generate writes days of readings and the truth without waiting', async (t) => {
  const dir = tempDir(t);
  const out = join(dir, 'readings.jsonl');
  const truth = join(dir, 'truth.jsonl');
  const started = Date.now();
  const child = runCli(
    [
      '--scenario',
      join(SCENARIOS, 'detector-eval.yaml'),
      '--generate',
      '2d',
      '--step',
      '15m',
      '--out',
      out,
      '--truth',
      truth,
    ],
    {},
    t,
  );
  t.equal((await child.exited).code, 0, child.stderr());
  t.ok(Date.now() - started < 30_000, 'quickly');
  const lines = readFileSync(out, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { device: string; ts: number; values: Record<string, number>; quality: string });
  const t0 = Date.parse('2025-03-03T00:00:00+08:00');
  t.equal(lines.length, 24 * 2 * 96, '24 devices x 2 days x 96 quarter-hours (no comm fault in the first two days)');
  t.equal(lines[0]!.ts, t0, 'starting at the scenario start');
  t.equal(lines[0]!.quality, 'good');
  const overload = lines.filter(
    (l) =>
      l.device === 'tx-a-m' &&
      l.ts >= Date.parse('2025-03-04T18:30:00+08:00') &&
      l.ts < Date.parse('2025-03-04T21:00:00+08:00'),
  );
  t.ok(
    overload.length > 5 && overload.every((l) => Math.hypot(l.values['p_kw']!, l.values['q_kvar']!) > 120),
    'tx-a-m above its 100 kVA rating during the labelled overload',
  );
  const labels = readFileSync(truth, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { event: string; start: number });
  t.same(
    labels.map((l) => l.event),
    ['leakage_step', 'overload_ramp'],
    'the labels of the two events that started in the window',
  );
  t.ok(labels.some((l) => l.event === 'overload_ramp'));
});
