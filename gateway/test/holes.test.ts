/**
 * Meters with holes of unmapped registers on a real serial line (socat pseudo-terminals,
 * 9600 8E1), read by the gateway process:
 * - m-1 and m-2 answer exception 2 to any read that touches 0x1020-0x1027, between their
 *   import and export energy counters. m-1 is read with the shipped DTSU666 profile, which
 *   does not know the hole (the default gap fill merges across it), m-2 with a profile
 *   that declares it. m-1 is refused once, splits the read, learns the hole and reports
 *   it; m-2 is never refused.
 * - m-3 has a hole at 0x2032-0x2043 and is read with a gap fill of 30, so one request
 *   spans three runs of wanted registers: the gateway reads the runs, tries each gap
 *   once and learns only the one with the hole.
 * - m-4 does not have its export counter at all (0x1028-0x1029 refused): that value is
 *   learned unreadable and left out, the rest is read.
 * Every value read equals what the simulator served, and no meter is declared lost.
 */
import t from 'tap';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseScenarioText, startSimulator, type SimulatorHandle } from '@gridsafe/firmware-sim';
import { createLogger, loadBuiltinProfiles, type RegisterHole } from '@gridsafe/shared';
import { waitFor } from '@gridsafe/testkit';
import { startBroker, type TestBroker } from './support/broker.js';
import { startGatewayWithConfig, stopFieldRun, type GatewayProcess } from './support/gateway-process.js';
import { lastHealth, publishedEvents, publishedReadings } from './support/published.js';
import { ptyPair, type PtyPair } from './support/pty.js';
import { compareReading, readServed } from './support/served.js';

const HOLE: RegisterHole = { function: 3, first: 0x1020, last: 0x1027 };
const FAR_HOLE: RegisterHole = { function: 3, first: 0x2032, last: 0x2043 };
const NO_EXPORT: RegisterHole = { function: 3, first: 0x1028, last: 0x1029 };
const dir = mkdtempSync(join(tmpdir(), 'gw-holes-'));
let pty: PtyPair;
let sim: SimulatorHandle;
let broker: TestBroker;
let gw: GatewayProcess;

t.before(async () => {
  pty = await ptyPair(dir);
  const profiles = loadBuiltinProfiles();
  const dtsu = profiles.get('dtsu666')!;
  // The simulated meter has the hole; the gateway's shipped profile does not say so.
  profiles.set('dtsu666', { ...dtsu, holes: [HOLE] });
  profiles.set('dtsu666-far-hole', { ...dtsu, id: 'dtsu666-far-hole', holes: [FAR_HOLE] });
  profiles.set('dtsu666-no-export', { ...dtsu, id: 'dtsu666-no-export', holes: [NO_EXPORT] });
  const scenario = parseScenarioText(
    // Four meters polled every second keep a 9600-baud line about 80 % busy, so a poll's
    // requests may queue behind a neighbour's for most of a second: a 2 s tick keeps each
    // poll within the two served states a reading is compared with.
    `
seed: 7
tickMs: 2000
buses: [{ id: rs485, kind: rtu, path: ${pty.sim}, baudRate: 9600, parity: even, turnaroundMs: 3 }]
devices:
  - { id: m-1, profile: dtsu666, bus: rs485, unit: 1, ctRatio: 60, load: { baseKva: 60 } }
  - { id: m-2, profile: dtsu666, bus: rs485, unit: 2, ctRatio: 60, load: { baseKva: 40 } }
  - { id: m-3, profile: dtsu666-far-hole, bus: rs485, unit: 3, ctRatio: 60, load: { baseKva: 30 } }
  - { id: m-4, profile: dtsu666-no-export, bus: rs485, unit: 4, ctRatio: 60, load: { baseKva: 20 } }
`,
    'holes test scenario',
    { profiles },
  );
  sim = await startSimulator(scenario, {
    profiles,
    servedLogPath: join(dir, 'served.jsonl'),
    logger: createLogger('sim', { level: 'warn' }),
  });
  const profileDir = join(dir, 'profiles');
  mkdirSync(profileDir);
  writeFileSync(
    join(profileDir, 'dtsu666-holed.json'),
    JSON.stringify({ ...dtsu, id: 'dtsu666-holed', holes: [{ function: 3, first: '0x1020', last: '0x1027' }] }),
  );
  broker = await startBroker();
  const config = {
    gateway: { id: 'gw-holes' },
    mqtt: { url: broker.url, statusInterval: '1s' },
    dataDir: join(dir, 'data'),
    batch: { maxAge: '500ms' },
    profiles: { dir: profileDir },
    buses: [{ id: 'rs485', kind: 'serial', path: pty.gateway, baudRate: 9600, parity: 'even' }],
    devices: [
      { id: 'm-1', bus: 'rs485', unit: 1, profile: 'dtsu666', ctRatio: 60, pollInterval: '1s' },
      { id: 'm-2', bus: 'rs485', unit: 2, profile: 'dtsu666-holed', ctRatio: 60, pollInterval: '1s' },
      {
        id: 'm-3',
        bus: 'rs485',
        unit: 3,
        profile: 'dtsu666',
        ctRatio: 60,
        pollInterval: '1s',
        polling: { gapFill: 30 },
      },
      { id: 'm-4', bus: 'rs485', unit: 4, profile: 'dtsu666', ctRatio: 60, pollInterval: '1s' },
    ],
    jobs: { midnightEnergy: { enabled: false } },
  };
  gw = startGatewayWithConfig(dir, config);
});

t.teardown(() => stopFieldRun(dir, { gw, sim, broker, pty }));

t.test('a hole, undeclared and declared: every value read, the hole learned once, no device lost', async (t) => {
  const readings = () => publishedReadings(broker, 'gw-holes');
  await waitFor(
    '6 readings of each meter',
    () => ['m-1', 'm-2', 'm-3', 'm-4'].every((d) => readings().filter((r) => r.device === d).length >= 6),
    30_000,
  );
  const served = readServed(join(dir, 'served.jsonl'));
  const quantities = loadBuiltinProfiles()
    .get('dtsu666')!
    .registers.map((r) => r.quantity)
    .sort();
  for (const device of ['m-1', 'm-2', 'm-3', 'm-4']) {
    const mine = readings().filter((r) => r.device === device);
    const expected = device === 'm-4' ? quantities.filter((q) => q !== 'e_exp_kwh') : quantities;
    t.ok(
      mine.every((r) => JSON.stringify(Object.keys(r.values).sort()) === JSON.stringify(expected)),
      `${device}: every reading carries the ${expected.length} quantities it has`,
    );
    const problems = mine.flatMap((r) =>
      compareReading(r, served.get(device)!, 'dtsu666', { ctRatio: 60, ptRatio: 1 }),
    );
    t.same(problems, [], `${device}: ${mine.length} readings equal the served values`);
  }
  t.notOk(
    publishedEvents(broker).some((e) => e.type === 'comm_lost'),
    'no comm_lost: a device that answers exception 2 is not lost',
  );
  const health = await waitFor('a status after the readings', () => {
    const h = lastHealth(broker);
    return ['m-1', 'm-2', 'm-3', 'm-4'].every((d) => h.devices[d]!.polls >= 6) ? h : undefined;
  });
  const undeclared = health.devices['m-1']!;
  t.same(undeclared.holes, [{ ...HOLE, learned: true }], 'm-1 reports the hole it learned');
  t.equal(undeclared.errors['exception'], 1, 'm-1 was refused once, then never again');
  t.equal(undeclared.requestsPerPoll, 5, 'm-1 reads the two counters apart from then on');
  t.equal(undeclared.state, 'ok');
  const declared = health.devices['m-2']!;
  t.same(declared.holes, [{ ...HOLE, learned: false }], 'm-2 reports its declared hole');
  t.equal(declared.errors['exception'], 0, 'm-2 is never refused: the planner does not merge across the hole');
  t.equal(declared.requestsPerPoll, 5);
  t.ok(
    gw.logs.some((l) => l.includes('learned its holes') && l.includes('0x1020-0x1027')),
    'the learned hole is logged with its range',
  );
  const threeRuns = health.devices['m-3']!;
  t.same(
    threeRuns.holes,
    [{ function: 3, first: 0x202c, last: 0x2043, learned: true }],
    'm-3 learns the gap that holds the hole, not the one beside it',
  );
  t.equal(threeRuns.errors['exception'], 2, 'm-3: the refused read and the refused try of that gap');
  t.equal(threeRuns.requestsPerPoll, 3, 'm-3: the energy block, 0x2000-0x202B merged across the sound gap, 0x2044');
  const noExport = health.devices['m-4']!;
  t.same(noExport.holes, [{ ...NO_EXPORT, learned: true }], 'm-4: the missing export counter is learned as a hole');
  t.equal(noExport.errors['exception'], 2, 'm-4: the merged read and the export counter alone, refused once each');
  t.equal(noExport.requestsPerPoll, 4);
  t.ok(
    gw.logs.some((l) => l.includes('learned its holes') && l.includes('"unreadable":["e_exp_kwh"]')),
    'the value left out is named in the log',
  );
});
