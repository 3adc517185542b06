/**
 * The real gateway process against a real MQTT broker (aedes on a free port) and the
 * simulated demo fleet: batches arrive as QoS 1, pass the contract's validator, carry
 * what the simulator served (in primary units), seq continues across a restart, the
 * status is retained with health, the last will marks a killed gateway offline, and
 * read-now answers.
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'mqtt';
import { startSimulator, demoScenario, type SimulatorHandle } from '@gridsafe/firmware-sim';
import {
  createLogger,
  decodeJsonTelemetry,
  checkGatewayStatus,
  checkGatewayEvent,
  topics,
  type TelemetryBatch,
} from '@gridsafe/shared';
import { startBroker, type TestBroker } from './support/broker.js';
import { startGateway, type GatewayProcess } from './support/gateway-process.js';
import { compareReading, readServed } from './support/served.js';
import { waitFor } from '@gridsafe/testkit';

const dir = mkdtempSync(join(tmpdir(), 'gw-mqtt-'));
const SECRET = 'test-secret-1';
let broker: TestBroker;
let sim: SimulatorHandle;
const running: GatewayProcess[] = [];

t.before(async () => {
  broker = await startBroker({ username: 'gw-001', password: SECRET });
  sim = await startSimulator(demoScenario({ port: 0 }), {
    servedLogPath: join(dir, 'served.jsonl'),
    logger: createLogger('sim', { level: 'warn' }),
  });
});
t.teardown(async () => {
  for (const gw of running) await gw.stop(5000);
  await sim?.stop();
  await broker?.close();
  rmSync(dir, { recursive: true, force: true });
});

const env = () => ({
  GRIDSAFE_BROKER_URL: broker.url,
  GRIDSAFE_GATEWAY_SECRET: SECRET,
  GRIDSAFE_DATA_DIR: join(dir, 'gw-data'),
  GRIDSAFE_SIM_TCP_PORT: String(sim.tcp[0]!.port),
});

const batches = (): TelemetryBatch[] =>
  broker.on('/telemetry').map((p) => {
    const decoded = decodeJsonTelemetry(p.payload, { expectedGateway: 'gw-001' });
    if (!decoded.ok) throw new Error(`invalid batch: ${decoded.message}`);
    return decoded.value;
  });

t.test('batches arrive, valid, QoS 1, with the values the simulator served', async (t) => {
  const gw = startGateway([], env());
  running.push(gw);
  await waitFor('4 telemetry batches', () => (broker.on('/telemetry').length >= 4 ? true : undefined), 30_000);
  const all = batches();
  t.ok(
    broker.on('/telemetry').every((p) => p.qos === 1 && !p.retain),
    'telemetry is QoS 1, not retained',
  );
  const seqs = all.map((b) => b.seq);
  t.ok(
    seqs.every((s, i) => i === 0 || s > seqs[i - 1]!),
    `seq strictly increasing: ${seqs.join(',')}`,
  );
  t.equal(seqs[0], 1, 'a fresh outbox starts at seq 1');
  const readings = all.flatMap((b) => b.readings);
  const meter = readings.filter((r) => r.device === 'm-001');
  const terminal = readings.filter((r) => r.device === 't-001');
  t.ok(
    meter.length >= 4 && terminal.length >= 4,
    `both devices read (${meter.length} meter, ${terminal.length} terminal readings)`,
  );
  t.same(
    Object.keys(meter[0]!.values).sort(),
    [
      'e_exp_kwh',
      'e_imp_kwh',
      'f_hz',
      'i_a',
      'i_b',
      'i_c',
      'p_a_kw',
      'p_b_kw',
      'p_c_kw',
      'p_kw',
      'pf',
      'q_kvar',
      'v_a',
      'v_ab',
      'v_b',
      'v_bc',
      'v_c',
      'v_ca',
    ],
    'every DTSU666 quantity',
  );
  // Batches are at most ~2 s apart in content: the age limit.
  for (const b of all)
    t.ok(
      Math.max(...b.readings.map((r) => r.ts)) - Math.min(...b.readings.map((r) => r.ts)) <= 2500,
      `batch ${b.seq} spans at most the 2 s age limit`,
    );

  const served = readServed(join(dir, 'served.jsonl'));
  const problems = [
    ...meter.flatMap((r) => compareReading(r, served.get('m-001')!, 'dtsu666', { ctRatio: 60, ptRatio: 1 })),
    ...terminal.flatMap((r) => compareReading(r, served.get('t-001')!, 'gridsafe-rcm4', { ctRatio: 1, ptRatio: 1 })),
  ];
  t.same(problems, [], 'every value matches the served state (primary units: CT 60 applied)');
  // The CT ratio really was applied: the demo load is ~60 kVA, i.e. ~87 A per phase at 230 V, far above a 5 A secondary.
  t.ok(meter[0]!.values.i_a! > 20, `i_a ${meter[0]!.values.i_a} A is a primary-side current`);

  const status = await waitFor('a retained online status', () =>
    broker.on('/status').find((p) => p.retain && JSON.parse(p.payload.toString()).state === 'online'),
  );
  const body = JSON.parse(status.payload.toString());
  t.ok(checkGatewayStatus(body).ok, 'status passes the contract schema');
  t.equal(body.version, '0.1.0');
  t.ok(
    body.health.devices['m-001'] && body.health.buses['sim-tcp'] && body.health.outbox,
    'health per device, per bus and of the outbox',
  );
  const events = broker.on('/events').map((p) => JSON.parse(p.payload.toString()));
  t.ok(
    events.some((e) => e.type === 'config_applied'),
    'config_applied event',
  );
  t.ok(
    events.every((e) => checkGatewayEvent(e).ok),
    'events pass the contract schema',
  );

  // read-now: a command on the command topic triggers an immediate poll.
  const client = connect(broker.url, { username: 'gw-001', password: SECRET, clientId: 'tester' });
  await new Promise((resolve) => client.once('connect', resolve));
  const before = broker.on('/events').length;
  await client.publishAsync(topics.command('gw-001', 'read-now'), JSON.stringify({ devices: ['t-001'] }), { qos: 1 });
  const done = await waitFor('command_done event', () =>
    broker
      .on('/events')
      .slice(before)
      .map((p) => JSON.parse(p.payload.toString()))
      .find((e) => e.type === 'command_done'),
  );
  t.equal(done.detail.command, 'read-now');
  t.equal(done.detail.readings, 1);
  await client.endAsync();

  const lastSeq = Math.max(...batches().map((b) => b.seq));
  const exit = await gw.stop();
  t.equal(exit.code, 0, 'SIGTERM: clean exit 0');
  const offline = broker
    .on('/status')
    .filter((p) => p.retain)
    .at(-1)!;
  t.equal(JSON.parse(offline.payload.toString()).state, 'offline', 'a clean stop leaves the retained status offline');
  t.ok(Math.max(...batches().map((b) => b.seq)) >= lastSeq, 'the flush on stop sent the last batch');

  // Restart on the same data folder: seq continues.
  const seenBefore = Math.max(...batches().map((b) => b.seq));
  const count = broker.on('/telemetry').length;
  const again = startGateway([], env());
  running.push(again);
  await waitFor('a batch after restart', () => (broker.on('/telemetry').length > count ? true : undefined));
  const next = batches().slice(count)[0]!;
  t.ok(next.seq > seenBefore, `seq after restart (${next.seq}) continues past ${seenBefore}`);

  // kill -9: the broker publishes the retained last will.
  // The time is taken before the kill: the broker may publish the will before `exited` resolves here.
  const killedAt = Date.now();
  again.child.kill('SIGKILL');
  await again.exited;
  const will = await waitFor('the last will', () => {
    const last = broker
      .on('/status')
      .filter((p) => p.retain)
      .at(-1)!;
    const parsed = JSON.parse(last.payload.toString());
    // The will is the one offline status without health figures (a clean stop adds them).
    return parsed.state === 'offline' && parsed.health === undefined && last.at >= killedAt ? parsed : undefined;
  });
  t.ok(checkGatewayStatus(will).ok, 'the will is a valid offline status');
});
