/**
 * Recovery and events, with the gateway process against the simulator over Modbus TCP.
 * The simulator goes away and comes back on the same port: the gateway reconnects in the
 * background with its backoff capped by the bus's reconnectMax (2 s here), and the lost
 * meter is read again within that cap of its return, although its own poll backoff
 * (up to backoffMax, 60 s) has grown longer; comm_restored counts downMs from the last
 * good read. A reload-config while the meter is lost still ends in comm_restored when
 * it answers. Every command ends in exactly one command_done (or command_rejected).
 */
import t, { type Test } from 'tap';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, type MqttClient } from 'mqtt';
import { demoScenario, startSimulator, type SimulatorHandle } from '@gridsafe/firmware-sim';
import { createLogger, topics, type GatewayEvent } from '@gridsafe/shared';
import { freePort, waitFor } from '@gridsafe/testkit';
import { startBroker, type TestBroker } from './support/broker.js';
import { startGatewayWithConfig, stopFieldRun, type GatewayProcess } from './support/gateway-process.js';
import { publishedEvents, publishedReadings } from './support/published.js';

const RECONNECT_MAX_MS = 2000;
/** Time for the connection, the probe and the event to reach the broker, beyond the cap. */
const SLACK_MS = 1500;
const dir = mkdtempSync(join(tmpdir(), 'gw-recovery-'));
let port: number;
let sim: SimulatorHandle | undefined;
let broker: TestBroker;
let gw: GatewayProcess;
let commander: MqttClient;
let config: Record<string, unknown>;

const startSim = async () =>
  (sim = await startSimulator(demoScenario({ port }), { logger: createLogger('sim', { level: 'warn' }) }));
const stopSim = async () => {
  await sim?.stop();
  sim = undefined;
};

t.before(async () => {
  port = await freePort();
  await startSim();
  broker = await startBroker();
  config = {
    gateway: { id: 'gw-recovery' },
    mqtt: { url: broker.url, statusInterval: '1s' },
    dataDir: join(dir, 'data'),
    batch: { maxAge: '300ms' },
    polling: { timeout: '300ms', retries: 1, retryBackoff: '50ms' },
    buses: [{ id: 'plc', kind: 'tcp', host: '127.0.0.1', port, reconnectMax: `${RECONNECT_MAX_MS}ms` }],
    devices: [{ id: 'm-001', bus: 'plc', unit: 1, profile: 'dtsu666', ctRatio: 60, pollInterval: '1s' }],
    jobs: { midnightEnergy: { enabled: false } },
  };
  gw = startGatewayWithConfig(dir, config);
  commander = connect(broker.url, { clientId: 'commander' });
  await new Promise((resolve) => commander.once('connect', resolve));
});

t.teardown(async () => {
  await commander?.endAsync();
  await stopFieldRun(dir, { gw, sim, broker });
});

const events = (type: string, since = 0): GatewayEvent[] =>
  publishedEvents(broker).filter((e) => e.type === type && e.ts >= since);
const lastReadingTs = () =>
  Math.max(
    ...publishedReadings(broker, 'gw-recovery')
      .filter((r) => r.device === 'm-001')
      .map((r) => r.ts),
  );

/** Publishes a command and waits for the one event that ends it. */
async function command(t: Test, name: string, body = ''): Promise<GatewayEvent> {
  const since = Date.now();
  await commander.publishAsync(topics.command('gw-recovery', name), body, { qos: 1 });
  const ended = await waitFor(`the end of ${name}`, () => {
    const found = publishedEvents(broker).filter(
      (e) => (e.type === 'command_done' || e.type === 'command_rejected') && e.ts >= since,
    );
    return found.length > 0 ? found : undefined;
  });
  await sleep(500);
  const all = publishedEvents(broker).filter(
    (e) => (e.type === 'command_done' || e.type === 'command_rejected') && e.ts >= since,
  );
  t.equal(all.length, 1, `${name}: exactly one command_done or command_rejected`);
  return ended[0]!;
}

t.test('a TCP device that comes back is read again within the reconnect cap', async (t) => {
  await waitFor('readings of m-001', () => publishedReadings(broker, 'gw-recovery').length >= 3, 20_000);
  const down = Date.now();
  await stopSim();
  const lost = await waitFor('comm_lost', () => events('comm_lost', down)[0], 20_000);
  t.ok(lost, 'comm_lost once the simulator is gone');
  // Long enough for the meter's own poll backoff (doubling from 1 s) to exceed the cap.
  await sleep(9000);
  const lastOk = lastReadingTs();
  await startSim();
  const back = Date.now();
  const restored = await waitFor('comm_restored', () => events('comm_restored', back)[0], 20_000);
  const after = restored.ts - back;
  t.ok(after <= RECONNECT_MAX_MS + SLACK_MS, `read again ${after} ms after it came back (cap ${RECONNECT_MAX_MS} ms)`);
  const downMs = Number(restored.detail?.['downMs']);
  t.ok(
    Math.abs(downMs - (restored.ts - lastOk)) <= 1500,
    `downMs ${downMs} counts from the last good read (${restored.ts - lastOk} ms before the event)`,
  );
  t.ok(downMs > restored.ts - lost.ts, 'downMs is longer than the time since comm_lost');
});

t.test('every command ends in one event; comm_restored after a reload-config', async (t) => {
  const readNow = await command(t, 'read-now', JSON.stringify({ devices: ['m-001'] }));
  t.same([readNow.type, readNow.detail?.['command'], readNow.detail?.['readings']], ['command_done', 'read-now', 1]);
  const unknown = await command(t, 'self-destruct');
  t.same([unknown.type, unknown.detail?.['command']], ['command_rejected', 'self-destruct']);

  const down = Date.now();
  await stopSim();
  await waitFor('comm_lost', () => events('comm_lost', down)[0], 20_000);
  // The same file with a longer timeout: a reload the gateway applies while the meter is lost.
  writeFileSync(join(dir, 'gateway.json'), JSON.stringify({ ...config, polling: { timeout: '400ms', retries: 1 } }));
  const reload = await command(t, 'reload-config');
  t.same(
    [reload.type, reload.detail?.['command'], reload.detail?.['applied']],
    ['command_done', 'reload-config', true],
  );
  t.ok(events('config_applied', down).length === 1, 'config_applied beside it');
  await startSim();
  const back = Date.now();
  const restored = await waitFor('comm_restored after the reload', () => events('comm_restored', back)[0], 20_000);
  t.equal(restored.device, 'm-001');

  writeFileSync(join(dir, 'gateway.json'), JSON.stringify({ ...config, devices: 'none' }));
  const refused = await command(t, 'reload-config');
  t.same([refused.type, refused.detail?.['applied']], ['command_done', false], 'a bad file: done, not applied');
  t.ok(events('config_rejected', back).length === 1, 'config_rejected beside it');
});
