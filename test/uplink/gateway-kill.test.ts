/**
 * The gateway killed with SIGKILL during an outage and restarted on the same data
 * folder, with real processes: its outbox and seq survive, and nothing is lost but the
 * readings it never took while it was dead (plus at most the batch it was still filling).
 * The gateway sends the compact encoding here, so it too is checked end to end.
 */
import t from 'tap';
import { holes, ledgerProblems, readServed, unservedValues } from './support/compare.js';
import { sleep, stopGateway, untilDrained, untilStored } from './support/scenario.js';
import { readStore } from './support/store.js';
import { GATEWAY, startCloud, startGateway, startLink, startSim } from './support/system.js';

const POLL_MS = 250;
/** batch.maxAge (300 ms) + one poll + scheduling slack: readings still in the batcher's memory at the kill. */
const UNSEALED_MS = 1000;

t.test('gateway SIGKILLed during an outage and restarted: nothing lost but readings never taken', async (t) => {
  const dir = t.testdir();
  const cloud = await startCloud(t, dir);
  const sim = await startSim(t, dir);
  const link = await startLink(t, cloud.mqttPort);
  const options = { brokerPort: link.port, simPort: sim.port, pollMs: POLL_MS, encoding: 'compact' as const };
  const first = startGateway(t, dir, options);
  await untilStored(cloud, 3, 30_000, 'the first batches through the link');

  link.cut('reset');
  await sleep(6000);
  const killedAt = Date.now();
  await first.proc.kill();
  await sleep(3000);
  const restartedAt = Date.now();
  const second = startGateway(t, dir, options);
  await sleep(5000);
  t.ok(
    second.proc.lines().some((l) => l['msg'] === 'gateway started'),
    'the gateway started again on the same outbox',
  );
  const restoredAt = Date.now();
  link.restore();
  await untilDrained(cloud, second, restoredAt + 1000, 30_000);
  await sleep(500);

  const final = await stopGateway(t, cloud, second);
  t.equal(final.unsentBatches, 0, 'nothing left unsent');
  await sim.proc.stop();
  await link.proc.stop();
  await cloud.proc.stop();

  const store = readStore(cloud.dataDir, GATEWAY);
  t.same(
    ledgerProblems(store, final.lastSeq),
    [],
    `every seq 1..${final.lastSeq} stored exactly once across the restart (no seq reused or skipped)`,
  );
  t.ok(
    final.lastSeq > final.status.health!.readings!.batches,
    'the restarted gateway continued the seq of the first run',
  );
  const gaps = holes(store.readings, 4 * POLL_MS);
  t.equal(gaps.length, 2, `one gap per meter, the time the gateway was dead: ${gaps.join('; ')}`);
  t.same(
    holes(store.readings, 4 * POLL_MS, [[killedAt - UNSEALED_MS, restartedAt + 5000]]),
    [],
    'no gap anywhere else, outage included',
  );
  for (const device of ['m-1', 'm-2']) {
    const before = store.readings.filter((r) => r.device === device && r.ts < killedAt).map((r) => r.ts);
    const lastBefore = Math.max(...before);
    t.ok(
      lastBefore >= killedAt - UNSEALED_MS,
      `${device}: readings taken up to ${killedAt - lastBefore} ms before the kill were kept`,
    );
    t.ok(
      store.readings.some((r) => r.device === device && r.ts > restartedAt && r.ts < restoredAt),
      `${device}: readings taken after the restart, still cut off, arrived`,
    );
  }
  t.same(
    unservedValues(store.readings, readServed(sim.servedLog)),
    [],
    'every stored value is one the simulator served',
  );
});
