/**
 * A dead device costs only itself. On a real serial line (socat pseudo-terminals, 9600
 * 8E1) the gateway process polls a healthy meter and a unit that never answers, both
 * every second with the default timeout (1 s) and retries (2). The healthy meter keeps
 * at least 0.95 of its rate through the silent unit's retries and backoff; the silent
 * unit's polls stop after their first request, it is reported comm_lost, and from then
 * on it is probed with one request per backoff step. The status accounts bus time per device.
 */
import t from 'tap';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseScenarioText, startSimulator, type SimulatorHandle } from '@gridsafe/firmware-sim';
import { createLogger } from '@gridsafe/shared';
import { waitFor } from '@gridsafe/testkit';
import { startBroker, type TestBroker } from './support/broker.js';
import { startGatewayWithConfig, stopFieldRun, type GatewayProcess } from './support/gateway-process.js';
import { lastHealth, publishedEvents, publishedReadings } from './support/published.js';
import { ptyPair, type PtyPair } from './support/pty.js';

const WINDOW_MS = 40_000;
const dir = mkdtempSync(join(tmpdir(), 'gw-schedule-'));
let pty: PtyPair;
let sim: SimulatorHandle;
let broker: TestBroker;
let gw: GatewayProcess;

t.before(async () => {
  pty = await ptyPair(dir);
  const scenario = parseScenarioText(
    `
seed: 3
buses: [{ id: rs485, kind: rtu, path: ${pty.sim}, baudRate: 9600, parity: even, turnaroundMs: 3 }]
devices:
  - { id: h-1, profile: dtsu666, bus: rs485, unit: 1, load: { baseKva: 60 } }
  - { id: s-2, profile: dtsu666, bus: rs485, unit: 2, load: { baseKva: 60 } }
`,
    'silent unit scenario',
  );
  sim = await startSimulator(scenario, { logger: createLogger('sim', { level: 'warn' }) });
  sim.setFault('s-2', { fault: 'no_reply' });
  broker = await startBroker();
  const config = {
    gateway: { id: 'gw-schedule' },
    mqtt: { url: broker.url, statusInterval: '1s' },
    dataDir: join(dir, 'data'),
    batch: { maxAge: '500ms' },
    buses: [{ id: 'rs485', kind: 'serial', path: pty.gateway, baudRate: 9600, parity: 'even' }],
    devices: [
      { id: 'h-1', bus: 'rs485', unit: 1, profile: 'dtsu666', pollInterval: '1s' },
      { id: 's-2', bus: 'rs485', unit: 2, profile: 'dtsu666', pollInterval: '1s' },
    ],
    jobs: { midnightEnergy: { enabled: false } },
  };
  gw = startGatewayWithConfig(dir, config);
});

t.teardown(() => stopFieldRun(dir, { gw, sim, broker, pty }));

t.test('a silent unit next to a healthy one: the healthy one keeps its rate', async (t) => {
  const healthy = () => publishedReadings(broker, 'gw-schedule').filter((r) => r.device === 'h-1');
  const first = await waitFor('the first reading of h-1', () => healthy()[0], 20_000);
  const from = first.ts;
  const lost = await waitFor(
    'comm_lost of s-2',
    () => publishedEvents(broker).find((e) => e.type === 'comm_lost' && e.device === 's-2'),
    30_000,
  );
  t.equal(lost.detail?.['error'], 'timeout');
  await waitFor('a status with s-2 lost', () => lastHealth(broker).devices['s-2']!.state === 'comm_lost', 5000);
  const atLoss = lastHealth(broker).devices['s-2']!;
  const end = from + WINDOW_MS;
  await sleep(Math.max(0, end - Date.now()) + 2500);
  const count = healthy().filter((r) => r.ts >= from && r.ts < end).length;
  const share = count / (WINDOW_MS / 1000);
  t.ok(
    share >= 0.95,
    `h-1: ${count} readings in ${WINDOW_MS / 1000} s at a 1 s interval: ${share.toFixed(3)} of its rate`,
  );

  const health = lastHealth(broker);
  const silent = health.devices['s-2']!;
  t.equal(silent.state, 'comm_lost');
  t.equal(silent.ok, 0);
  t.ok(silent.skippedRequests > 0, `the rest of each failed poll was skipped (${silent.skippedRequests} requests)`);
  t.equal(
    silent.requests - atLoss.requests,
    silent.polls - atLoss.polls,
    `once lost, one request per probe (${silent.polls - atLoss.polls} probes)`,
  );
  t.ok(silent.intervalMs > 1000, `probes back off (interval now ${silent.intervalMs} ms)`);
  t.ok(
    silent.busTimeMs >= silent.errors['timeout']! * 1000 - 50,
    `bus time accounts each timeout (${silent.busTimeMs} ms for ${silent.errors['timeout']} timeouts)`,
  );
  const h = health.devices['h-1']!;
  t.ok(
    h.busTimeMs > 0 && h.busShare > 0 && h.busShare < silent.busShare,
    `bus shares: h-1 ${h.busShare}, s-2 ${silent.busShare}`,
  );
  t.ok(
    Math.abs(health.buses['rs485']!.busTimeMs - h.busTimeMs - silent.busTimeMs) <= 2,
    'the bus total is the sum of its devices',
  );
});
