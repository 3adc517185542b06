/**
 * A long uplink cut with the gateway polling all along, with real processes (simulator →
 * gateway → link emulator → cloud): nothing lost, nothing stored twice, order kept.
 * Time is compressed: 20 s of cut at a 250 ms poll interval is 80 polls per meter, the
 * readings of a 10-minute cut at a 7.5 s interval.
 */
import t from 'tap';
import { backlogOrderProblems, holes, ledgerProblems, readServed, unservedValues } from './support/compare.js';
import { lastBacklog, sleep, stopGateway, untilDrained, untilStored } from './support/scenario.js';
import { readStore } from './support/store.js';
import { GATEWAY, startCloud, startGateway, startLink, startSim } from './support/system.js';

const POLL_MS = 250;
const CUT_MS = 20_000;

t.test('a 10-minute uplink cut (compressed): nothing lost, nothing twice, order kept', async (t) => {
  const dir = t.testdir();
  const cloud = await startCloud(t, dir);
  const sim = await startSim(t, dir);
  const link = await startLink(t, cloud.mqttPort);
  const gateway = startGateway(t, dir, { brokerPort: link.port, simPort: sim.port, pollMs: POLL_MS });
  await untilStored(cloud, 3, 30_000, 'the first batches through the link');

  const cutAt = Date.now();
  link.cut('reset');
  await sleep(CUT_MS);
  const storedDuringCut = await cloud.metric('gridsafe_ingest_batches_total');
  const restoredAt = Date.now();
  link.restore();
  const drained = await untilDrained(cloud, gateway, restoredAt + 1000, 30_000);
  t.ok(drained.health?.uplink?.connected, 'the gateway is connected again');
  const backlog = lastBacklog(gateway);
  t.ok(backlog >= CUT_MS / 300 / 2, `the gateway held ${backlog} batches while cut off`);
  await sleep(1000);

  const final = await stopGateway(t, cloud, gateway);
  t.equal(final.unsentBatches, 0, 'nothing left unsent');
  await sim.proc.stop();
  await link.proc.stop();
  await cloud.proc.stop();
  t.ok(
    link.proc.lines().some((l) => l['msg'] === 'link cut'),
    'the link emulator did cut the link',
  );

  const store = readStore(cloud.dataDir, GATEWAY);
  t.same(
    ledgerProblems(store, final.lastSeq),
    [],
    `every seq 1..${final.lastSeq} stored exactly once, every reading once`,
  );
  t.equal(store.readings.length, final.taken, `every reading the gateway took is stored (${final.taken})`);
  const inCut = store.readings.filter((r) => r.ts > cutAt + 1000 && r.ts < restoredAt - 1000).length;
  t.ok(inCut >= ((CUT_MS - 2000) / POLL_MS) * 2 * 0.8, `${inCut} readings taken during the cut are stored`);
  t.same(holes(store.readings, 4 * POLL_MS), [], "no gap in either meter's series, through the cut");
  t.same(
    unservedValues(store.readings, readServed(sim.servedLog)),
    [],
    'every stored value is one the simulator served',
  );
  const received = store.ledger
    .filter((row) => row.receivedAt >= restoredAt)
    .map((row) => row.seq)
    .sort((a, b) => a - b);
  t.same(backlogOrderProblems(store, received.slice(0, backlog)), [], 'the backlog arrived oldest first');
  t.ok(storedDuringCut >= 3, 'batches were stored before the cut');
});
