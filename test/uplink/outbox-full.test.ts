/**
 * A full outbox, with real processes (simulator → gateway → link emulator → cloud): the
 * configured overflow policy applies, what it dropped or folded is counted and reported
 * in the gateway status, and the store holds exactly the rest, checked reading by reading.
 *
 * - drop-oldest: a cut long enough to overflow a small outbox; the oldest batches go.
 * - fold-15min: folding needs complete 15-minute windows, which a test cannot wait for in
 *   real time; so the gateway starts on an outbox that already holds two hours of
 *   readings from an earlier outage (written here with the gateway's own outbox code,
 *   stamped two hours ago), and is cut off again: the new readings overflow it, the old
 *   windows are folded, and the store must hold exactly the fold of what was written.
 */
import t, { type Test } from 'tap';
import { join } from 'node:path';
import { OVERFLOW_POLICIES, SqliteOutbox } from '@gridsafe/gateway';
import type { Reading } from '@gridsafe/shared';
import { holes, ledgerProblems, readServed, unservedValues } from './support/compare.js';
import { sleep, stopGateway, untilDrained, untilStored, type GatewayFinal } from './support/scenario.js';
import { readStore, type StoredReading } from './support/store.js';
import {
  DEVICES,
  GATEWAY,
  startCloud,
  startGateway,
  startLink,
  startSim,
  type Cloud,
  type Gateway,
  type Link,
  type Sim,
} from './support/system.js';

const POLL_MS = 250;
const WINDOW_MS = 15 * 60_000; // the fold window (FACTS.md: 15-minute demand period)

/** Brings the link back, waits for the backlog to drain, stops everything, and returns the gateway's final status, its overflow counters and when the link came back. */
async function restoreAndStop(
  t: Test,
  system: { cloud: Cloud; sim: Sim; link: Link; gateway: Gateway },
  drainTimeoutMs: number,
): Promise<{ final: GatewayFinal; overflow: Record<string, unknown>; restoredAt: number }> {
  const restoredAt = Date.now();
  system.link.restore();
  await untilDrained(system.cloud, system.gateway, restoredAt + 1000, drainTimeoutMs);
  await sleep(1000);
  const final = await stopGateway(t, system.cloud, system.gateway);
  await system.sim.proc.stop();
  await system.link.proc.stop();
  await system.cloud.proc.stop();
  return { final, overflow: final.status.health?.outbox?.overflow ?? {}, restoredAt };
}

/** Seqs from 1 to lastSeq that the store never received. */
function missingSeqs(ledger: ReadonlyArray<{ seq: number }>, lastSeq: number): number[] {
  const have = new Set(ledger.map((row) => row.seq));
  return Array.from({ length: lastSeq }, (_, i) => i + 1).filter((seq) => !have.has(seq));
}

t.test(
  'drop-oldest: a cut overflows the outbox; the oldest batches go, counted in the status; the rest is stored once',
  async (t) => {
    const dir = t.testdir();
    const cloud = await startCloud(t, dir);
    const sim = await startSim(t, dir);
    const link = await startLink(t, cloud.mqttPort);
    const gateway = startGateway(t, dir, {
      brokerPort: link.port,
      simPort: sim.port,
      pollMs: POLL_MS,
      batch: { maxBytes: '16KiB' },
      outbox: { maxBytes: '64KiB', overflow: 'drop-oldest' },
    });
    await untilStored(cloud, 3, 30_000, 'the first batches through the link');

    const cutAt = Date.now();
    link.cut('reset');
    await sleep(35_000); // two meters every 250 ms, about 3 KB/s of readings: well over 64 KiB
    const { final, overflow, restoredAt } = await restoreAndStop(t, { cloud, sim, link, gateway }, 30_000);
    t.equal(overflow['policy'], 'drop-oldest', 'the status names the policy');
    const batchesDropped = Number(overflow['batchesDropped'] ?? 0);
    const readingsDropped = Number(overflow['readingsDropped'] ?? 0);
    t.ok(
      batchesDropped > 0 && readingsDropped > 0,
      `the status counts what was dropped (${batchesDropped} batches, ${readingsDropped} readings)`,
    );

    const store = readStore(cloud.dataDir, GATEWAY);
    const missing = missingSeqs(store.ledger, final.lastSeq);
    // A batch in flight when the link went down may have reached the cloud before its PUBACK
    // was lost and the policy dropped it: counted as dropped, yet stored. So the seqs the
    // cloud never saw are the dropped ones less at most the send window (8 in flight).
    t.ok(
      missing.length > 0 && missing.length <= batchesDropped && batchesDropped - missing.length <= 8,
      `every seq the cloud never saw was dropped and counted (${missing.length} missing, ${batchesDropped} dropped)`,
    );
    t.ok(
      missing.every((seq, i) => i === 0 || seq === (missing[i - 1] as number) + 1),
      `the dropped seqs are one run, the oldest of the backlog (${missing[0]}..${missing.at(-1)})`,
    );
    t.same(ledgerProblems(store, final.lastSeq, new Set(missing)), [], 'every other seq stored exactly once');
    const lost = final.taken - store.readings.length;
    t.ok(
      lost > 0 && lost <= readingsDropped,
      `the readings not stored (${lost} of ${final.taken} taken) are among those counted dropped (${readingsDropped})`,
    );
    t.same(
      unservedValues(store.readings, readServed(sim.servedLog)),
      [],
      'every stored value is one the simulator served',
    );
    t.same(holes(store.readings, 4 * POLL_MS, [[cutAt, restoredAt]]), [], 'gaps only within the cut');
  },
);

/** Two hours of readings from an earlier outage, every 15 s, for the test's two meters. */
function earlierOutage(until: number): Reading[][] {
  const start = Math.floor((until - 2 * 3_600_000) / WINDOW_MS) * WINDOW_MS;
  const energy = new Map(DEVICES.map((d, i) => [d, 5000 + i * 1000]));
  const batches: Reading[][] = [];
  for (let ts = start; ts < until - 60_000; ts += 15_000) {
    const c = (ts - start) / 15_000;
    batches.push(
      DEVICES.map((device, i) => {
        const p = Math.round((60 + 20 * Math.sin(c / 29 + i)) * 1000) / 1000;
        energy.set(device, Math.round(((energy.get(device) as number) + p / 240) * 100) / 100);
        return {
          device,
          ts: ts + i,
          values: {
            ...Object.fromEntries(
              ['v_a', 'v_b', 'v_c'].map((q, k) => [q, Math.round((229 + Math.sin(c / 7 + k)) * 10) / 10]),
            ),
            ...Object.fromEntries(
              ['i_a', 'i_b', 'i_c'].map((q, k) => [
                q,
                Math.round(((p * 1000) / 3 / 229) * (1 + 0.05 * Math.sin(c / 11 + k)) * 100) / 100,
              ]),
            ),
            p_kw: p,
            q_kvar: Math.round(p * 0.33 * 1000) / 1000,
            e_imp_kwh: energy.get(device) as number,
            demand_kw: Math.round((p + (c % 37 === 0 ? 30 : 0)) * 100) / 100,
          },
          quality: 'good' as const,
        };
      }),
    );
  }
  return batches;
}

/** The evidence fold-15min promises per device and window: last energy, maximum demand, mean of the rest. */
function windowEvidence(
  readings: ReadonlyArray<Pick<StoredReading, 'device' | 'ts' | 'values'>>,
): Map<string, { count: number; energy: number; demand: number; power: number; volts: number }> {
  const groups = new Map<string, Array<Pick<StoredReading, 'ts' | 'values'>>>();
  for (const r of readings) {
    const key = `${r.device}@${Math.floor(r.ts / WINDOW_MS) * WINDOW_MS}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const out = new Map<string, { count: number; energy: number; demand: number; power: number; volts: number }>();
  for (const [key, list] of groups) {
    list.sort((a, b) => a.ts - b.ts);
    const mean = (q: string) => list.reduce((s, r) => s + (r.values[q] as number), 0) / list.length;
    out.set(key, {
      count: list.length,
      energy: list[list.length - 1]!.values['e_imp_kwh'] as number,
      demand: Math.max(...list.map((r) => r.values['demand_kw'] as number)),
      power: mean('p_kw'),
      volts: mean('v_a'),
    });
  }
  return out;
}

t.test(
  'fold-15min: an overflowing outbox folds the oldest windows into aggregates, counted in the status; energy and demand evidence exact',
  async (t) => {
    // The live readings must stay in one window (the one being filled is never folded):
    // start clear of a quarter-hour boundary.
    const toBoundary = WINDOW_MS - (Date.now() % WINDOW_MS);
    if (toBoundary < 75_000) await sleep(toBoundary + 1000);
    const dir = t.testdir();
    const cloud = await startCloud(t, dir);
    const sim = await startSim(t, dir);
    const link = await startLink(t, cloud.mqttPort);
    link.cut('reset'); // still cut off when the gateway starts

    // The outbox as an earlier run left it: two hours of readings never sent.
    const startedAt = Date.now();
    const written = earlierOutage(startedAt);
    const outbox = new SqliteOutbox({
      dataDir: join(dir, 'gateway'),
      gatewayId: GATEWAY,
      maxBytes: 64 * 1024 * 1024,
      policy: OVERFLOW_POLICIES['fold-15min']!,
    });
    for (const readings of written) {
      outbox.appendBatch({
        readingsJson: JSON.stringify(readings),
        readingCount: readings.length,
        firstTs: readings[0]!.ts,
        lastTs: readings.at(-1)!.ts,
      });
    }
    const prefilledSeq = outbox.stats().lastSeq;
    outbox.close();
    const writtenReadings = written.flat();

    const gateway = startGateway(t, dir, {
      brokerPort: link.port,
      simPort: sim.port,
      pollMs: POLL_MS,
      batch: { maxBytes: '16KiB' },
      outbox: { maxBytes: '128KiB', overflow: 'fold-15min' },
    });
    await sleep(15_000); // new readings overflow the outbox while the link is down
    const { final, overflow } = await restoreAndStop(t, { cloud, sim, link, gateway }, 60_000);
    t.equal(overflow['policy'], 'fold-15min', 'the status names the policy');
    const folded = Number(overflow['readingsFolded'] ?? 0);
    const windows = Number(overflow['windowsFolded'] ?? 0);
    t.ok(folded > 0 && windows > 0, `the status counts the folding (${folded} readings into ${windows} windows)`);
    t.equal(Number(overflow['readingsDropped'] ?? 0), 0, 'nothing had to be dropped');

    const store = readStore(cloud.dataDir, GATEWAY);
    const old = store.readings.filter((r) => r.ts < startedAt);
    const live = store.readings.filter((r) => r.ts >= startedAt);
    t.equal(
      writtenReadings.length - old.length,
      folded - windows,
      `the old readings stored (${old.length}) are what folding left of the ${writtenReadings.length} written`,
    );

    // Window by window, the store holds the fold of what was written: one reading per
    // device and window, the last energy and the maximum demand exact, means of the rest.
    const expected = windowEvidence(writtenReadings);
    const got = windowEvidence(old);
    const problems: string[] = [];
    for (const [key, want] of expected) {
      const have = got.get(key);
      if (!have) problems.push(`${key}: nothing stored`);
      else if (have.count !== 1 && have.count !== want.count)
        problems.push(`${key}: ${have.count} readings stored, neither one aggregate nor all ${want.count}`);
      else {
        if (have.energy !== want.energy) problems.push(`${key}: energy ${have.energy}, written last ${want.energy}`);
        if (have.demand !== want.demand) problems.push(`${key}: demand ${have.demand}, written max ${want.demand}`);
        if (Math.abs(have.power - want.power) > 1e-3 * Math.abs(want.power))
          problems.push(`${key}: power ${have.power}, written mean ${want.power}`);
        if (Math.abs(have.volts - want.volts) > 0.01)
          problems.push(`${key}: voltage ${have.volts}, written mean ${want.volts}`);
      }
    }
    t.same(problems, [], `every one of the ${expected.size} device-windows of the outage kept its evidence`);

    // The readings the gateway took itself: all stored, once, as served.
    const missing = missingSeqs(store.ledger, final.lastSeq);
    t.ok(
      missing.every((seq) => seq <= prefilledSeq),
      'only seqs of the old batches that folding emptied were never sent',
    );
    t.same(ledgerProblems(store, final.lastSeq, new Set(missing)), [], 'every batch sent was stored exactly once');
    t.equal(live.length, final.taken, `every reading the gateway took is stored (${final.taken})`);
    t.same(unservedValues(live, readServed(sim.servedLog)), [], 'every live value stored is one the simulator served');
    t.same(holes(live, 4 * POLL_MS), [], 'no gap in the live readings');
  },
);
