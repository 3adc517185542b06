/**
 * The cloud killed with SIGKILL while it ingests a backlog, and restarted on the same
 * data and ports, with real processes: what it had acknowledged is kept, what it had not
 * is sent again, and nothing is stored twice.
 */
import t from 'tap';
import { holes, ledgerProblems, readServed, unservedValues } from './support/compare.js';
import { sleep, stopGateway, untilDrained, untilStored } from './support/scenario.js';
import { readStore } from './support/store.js';
import { GATEWAY, startCloud, startGateway, startLink, startSim } from './support/system.js';

const POLL_MS = 250;

t.test('cloud SIGKILLed during ingest and restarted: nothing lost, nothing twice', async (t) => {
  const dir = t.testdir();
  let cloud = await startCloud(t, dir);
  const sim = await startSim(t, dir);
  // A slow link (100 kbit/s) so the backlog takes seconds to ingest and the kill lands in the middle of it.
  const link = await startLink(t, cloud.mqttPort, ['--bps', '100k', '--latency', '20ms']);
  const gateway = startGateway(t, dir, {
    brokerPort: link.port,
    simPort: sim.port,
    pollMs: POLL_MS,
    batch: { maxAge: '300ms', maxReadings: 4 },
  });
  await untilStored(cloud, 3, 30_000, 'the first batches through the link');

  link.cut('reset');
  await sleep(10_000);
  const before = await cloud.metric('gridsafe_ingest_batches_total');
  link.restore();
  await untilStored(cloud, before + 5, 20_000, 'the backlog to start arriving');
  const storedAtKill = await cloud.metric('gridsafe_ingest_batches_total');
  await cloud.proc.kill();
  t.pass(`cloud killed after storing ${storedAtKill} batches, backlog still arriving`);
  await sleep(1000);
  cloud = await startCloud(t, dir, { httpPort: cloud.httpPort, mqttPort: cloud.mqttPort });
  await untilDrained(cloud, gateway, Date.now() + 500, 40_000);
  await sleep(500);

  const final = await stopGateway(t, cloud, gateway);
  t.equal(final.unsentBatches, 0, 'nothing left unsent');
  await sim.proc.stop();
  await link.proc.stop();
  await cloud.proc.stop();

  const store = readStore(cloud.dataDir, GATEWAY);
  t.same(ledgerProblems(store, final.lastSeq), [], `every seq 1..${final.lastSeq} stored exactly once`);
  t.equal(store.readings.length, final.taken, `every reading the gateway took is stored once (${final.taken})`);
  t.same(holes(store.readings, 4 * POLL_MS), [], "no gap in either meter's series");
  t.same(
    unservedValues(store.readings, readServed(sim.servedLog)),
    [],
    'every stored value is one the simulator served',
  );
});
