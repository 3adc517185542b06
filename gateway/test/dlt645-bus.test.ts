/**
 * DL/T 645-2007 meters through the gateway process on real serial lines (socat
 * pseudo-terminal pairs), the simulator playing the meters:
 * - bus "mixed" at 9600 8E1: a Modbus DTSU666 and a DL/T 645 meter whose replies are cut
 *   into follow-up frames after 8 data bytes, so every block read needs 0x12;
 * - bus "meters": two DL/T 645 meters alone at 9600 8E1.
 * Values match what the simulator served; abnormal replies and bad checksums are counted
 * as the Modbus kinds; read-address discovery names the one meter of a bus, and where two
 * answer at once (a collision) the search by abbreviated addresses finds both.
 */
import t from 'tap';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from 'mqtt';
import type { SimulatorHandle } from '@gridsafe/firmware-sim';
import { topics, type GatewayEvent, type Reading } from '@gridsafe/shared';
import { waitFor } from '@gridsafe/testkit';
import { startBroker, type TestBroker } from './support/broker.js';
import { startGatewayWithConfig, stopFieldRun, type GatewayProcess } from './support/gateway-process.js';
import { ptyPair, type PtyPair } from './support/pty.js';
import { lastHealth, publishedEvents, publishedReadings, type DeviceHealth } from './support/published.js';
import { compareReading, readServed, startServedSimulator } from './support/served.js';

const dir = mkdtempSync(join(tmpdir(), 'gw-dlt645-'));
let mixed: PtyPair;
let meters: PtyPair;
let sim: SimulatorHandle;
let broker: TestBroker;
let gw: GatewayProcess;

const DEVICES = [
  { id: 'm-1', profile: 'dtsu666', ctRatio: 60, ptRatio: 1 },
  { id: 'd-2', profile: 'dlt645-3p', ctRatio: 20, ptRatio: 1 },
  { id: 'd-3', profile: 'dlt645-3p', ctRatio: 1, ptRatio: 1 },
  { id: 'd-4', profile: 'dlt645-3p', ctRatio: 1, ptRatio: 1 },
];

t.before(async () => {
  mixed = await ptyPair(dir, 'mixed');
  meters = await ptyPair(dir, 'meters');
  sim = await startServedSimulator(
    `
seed: 7
# Two meters' polls may queue behind each other: a 5 s tick keeps each poll within two served states.
tickMs: 5000
buses:
  - { id: mixed, kind: rtu, path: ${mixed.sim}, baudRate: 9600, parity: even, turnaroundMs: 3 }
  - { id: meters, kind: rtu, path: ${meters.sim}, baudRate: 9600, parity: even, turnaroundMs: 3 }
devices:
  - { id: m-1, profile: dtsu666, bus: mixed, unit: 1, ctRatio: 60, load: { baseKva: 60, pf: 0.95 } }
  - { id: d-2, profile: dlt645-3p, bus: mixed, address: "000000001234", maxFrameData: 8, preamble: 4, ctRatio: 20, load: { baseKva: 40, pf: 0.9 } }
  - { id: d-3, profile: dlt645-3p, bus: meters, address: "000000005678", preamble: 0, load: { baseKva: 3, pf: 0.97 } }
  - { id: d-4, profile: dlt645-3p, bus: meters, address: "000000005679", load: { baseKva: 2, pf: 0.9 } }
`,
    'DL/T 645 test scenario',
    dir,
  );
  broker = await startBroker();
  const config = {
    gateway: { id: 'gw-645' },
    mqtt: { url: broker.url, statusInterval: '1s' },
    dataDir: join(dir, 'data'),
    batch: { maxAge: '500ms' },
    polling: { timeout: '600ms', retries: 1, retryBackoff: '50ms', commLostAfter: 3, backoffMax: '5s' },
    buses: [
      { id: 'mixed', kind: 'serial', path: mixed.gateway, baudRate: 9600 },
      { id: 'meters', kind: 'serial', path: meters.gateway, baudRate: 9600 },
    ],
    devices: [
      { id: 'm-1', bus: 'mixed', unit: 1, profile: 'dtsu666', ctRatio: 60, pollInterval: '1s' },
      { id: 'd-2', bus: 'mixed', address: '000000001234', profile: 'dlt645-3p', ctRatio: 20, pollInterval: '2s' },
      { id: 'd-3', bus: 'meters', address: '000000005678', profile: 'dlt645-3p', pollInterval: '3s' },
      { id: 'd-4', bus: 'meters', address: '000000005679', profile: 'dlt645-3p', pollInterval: '3s', preamble: 0 },
    ],
    jobs: { midnightEnergy: { enabled: false } },
  };
  gw = startGatewayWithConfig(dir, config);
});

t.teardown(async () => {
  await meters?.close();
  await stopFieldRun(dir, { gw, sim, broker, pty: mixed });
});

const readings = (since = 0): Reading[] => publishedReadings(broker, 'gw-645').filter((r) => r.ts >= since);
const events = (): GatewayEvent[] => publishedEvents(broker);

/** A device's latest status, with the DL/T 645 poller's own fields. */
const deviceHealth = (id: string) =>
  lastHealth(broker).devices[id]! as DeviceHealth & { protocol?: string; followUpFrames?: number };

/** Readings per second of a device within [from, to). */
const rate = (device: string, from: number, to: number) =>
  readings(from).filter((r) => r.device === device && r.ts < to).length / ((to - from) / 1000);

t.test('a mixed bus and a DL/T 645 bus: every value matches what the meters served', async (t) => {
  await waitFor(
    '2 readings of each device',
    () => DEVICES.every((d) => readings().filter((r) => r.device === d.id).length >= 2),
    40_000,
  );
  const served = readServed(join(dir, 'served.jsonl'));
  for (const d of DEVICES) {
    const mine = readings().filter((r) => r.device === d.id);
    const problems = mine.flatMap((r) => compareReading(r, served.get(d.id)!, d.profile, d));
    t.same(problems, [], `${d.id} (${d.profile}): ${mine.length} readings match the served values`);
    t.ok(
      mine.every((r) => r.quality === 'good'),
      `${d.id}: quality good`,
    );
    if (d.profile === 'dlt645-3p')
      t.ok(
        ['v_a', 'i_b', 'p_c_kw', 'pf', 'f_hz', 'e_imp_kwh', 'demand_kw'].every((q) => q in mine[0]!.values),
        `${d.id}: voltages, currents, powers, PF, frequency, energy and demand read`,
      );
  }
  const d2 = deviceHealth('d-2');
  t.equal(d2.protocol, 'dlt645');
  t.equal(d2.requestsPerPoll, 12, '4 blocks and 8 single DIs a poll');
  t.ok(d2.followUpFrames! > 0, `blocks over 8 bytes came in follow-up frames (${d2.followUpFrames})`);
  t.equal(
    Object.values(d2.errors).reduce((a, b) => a + b, 0),
    0,
    'no errors on a clean line',
  );
});

t.test('meter_status events carry the maximum demand with its time and the run status words', async (t) => {
  const status = await waitFor('meter_status of d-2', () =>
    events().find((e) => e.type === 'meter_status' && e.device === 'd-2'),
  );
  const detail = status.detail as Record<string, unknown>;
  t.equal(detail['address'], '000000001234');
  const maxDemand = detail['max_demand_kw'] as { value: number; at: number };
  t.type(maxDemand.value, 'number');
  t.ok(Math.abs(maxDemand.at - Date.now()) < 5 * 60_000, 'the time of the maximum demand decodes to about now');
  t.equal(detail['run_status_1'], 0);
  t.equal(detail['run_status_7'], 0);
});

t.test(
  'an abnormal reply counts as an exception; a broken checksum as crc; the Modbus meter keeps its rate',
  async (t) => {
    for (const { fault, counter } of [
      { fault: { fault: 'exception' as const, code: 2 }, counter: 'exception' },
      { fault: { fault: 'bad_crc' as const, probability: 0.5 }, counter: 'crc' },
    ]) {
      const before = deviceHealth('d-2').errors[counter] ?? 0;
      const from = Date.now();
      sim.setFault('d-2', fault);
      await sleep(3500);
      sim.setFault('d-2', null);
      const to = Date.now();
      await sleep(1500);
      const after = deviceHealth('d-2').errors[counter] ?? 0;
      t.ok(after > before, `${fault.fault}: counted as ${counter} (${before} → ${after})`);
      const r = rate('m-1', from + 500, to - 500);
      t.ok(r >= 0.75, `m-1 kept polling at ${r.toFixed(2)}/s`);
    }
    const logged = gw.logs.some((l) => l.includes('no requested data') && l.includes('abnormal reply'));
    t.ok(logged, 'the error byte is named in the log');
  },
);

t.test('a silent DL/T 645 meter goes comm_lost; after reload-config its answer brings comm_restored', async (t) => {
  const client = connect(broker.url, { username: 'gw-645', clientId: 'tester-reload' });
  await new Promise((resolve) => client.once('connect', resolve));
  const before = events().length;
  sim.setFault('d-2', { fault: 'no_reply' });
  const lost = await waitFor(
    'comm_lost of d-2',
    () =>
      events()
        .slice(before)
        .find((e) => e.type === 'comm_lost' && e.device === 'd-2'),
    30_000,
  );
  t.equal(lost.detail?.['error'], 'timeout');
  const m1 = rate('m-1', Date.now() - 3000, Date.now());
  t.ok(m1 >= 0.6, `m-1 kept polling beside the silent meter (${m1.toFixed(2)}/s)`);
  await client.publishAsync(topics.command('gw-645', 'reload-config'), '', { qos: 1 });
  await waitFor('config_applied after the reload', () =>
    events()
      .slice(before)
      .some((e) => e.type === 'config_applied'),
  );
  sim.setFault('d-2', null);
  const restored = await waitFor(
    'comm_restored of d-2',
    () =>
      events()
        .slice(before)
        .find((e) => e.type === 'comm_restored' && e.device === 'd-2'),
    30_000,
  );
  t.ok(Number(restored.detail?.['downMs']) > 0, `down for ${String(restored.detail?.['downMs'])} ms`);
  await client.endAsync();
});

t.test('discovery: read-address names the one meter of a bus; after a collision the search finds both', async (t) => {
  const client = connect(broker.url, { username: 'gw-645', clientId: 'tester' });
  await new Promise((resolve) => client.once('connect', resolve));
  const done = async (body: Record<string, unknown>) => {
    const before = broker.on('/events').length;
    await client.publishAsync(topics.command('gw-645', 'discover-dlt645'), JSON.stringify(body), { qos: 1 });
    return waitFor(
      `discovery on ${String(body['bus'])}`,
      () =>
        events()
          .slice(before)
          .find((e) => e.type === 'command_done' && e.detail?.['command'] === 'discover-dlt645'),
      60_000,
    );
  };
  const one = await done({ bus: 'mixed' });
  t.same(one.detail?.['meters'], ['000000001234']);
  t.equal(one.detail?.['probes'], 0, 'read-address alone sufficed');
  // A probe's exchange is about 60 ms on the wire at 9600 baud (request, t3.5, turnaround,
  // reply); 200 ms leaves room for a late simulator on a loaded machine, where 100 ms
  // sometimes cut a reply short (a broken reply reads as several meters: 100 more probes).
  const two = await done({ bus: 'meters', probeTimeout: 200 });
  t.same(two.detail?.['meters'], ['000000005678', '000000005679'], 'both meters found by the search');
  t.equal(two.detail?.['problem'], undefined);
  t.equal(two.detail?.['probes'], 100, 'one byte narrowed the search: 100 probes');
  await client.endAsync();
});
