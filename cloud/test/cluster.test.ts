/**
 * Three cloud instances as one service (issue 13), as real processes: PostgreSQL,
 * InfluxDB, HAProxy (TCP) in front of the instances' embedded brokers, and three
 * gateway-like publishers with the outbox rule (in order, kept until PUBACK, sent again
 * after a failover) running the scenario of support/cluster-scenario.ts (overload,
 * capacity violation, comm loss) while the instance owning the overloaded gateway's
 * detection partition is SIGKILLed. Every batch and event is stored exactly once, each
 * PUBACK came only for something stored, the dead instance's partitions are taken over,
 * every survivor's live stream carries every alert, and the alerts and cases equal, type
 * by type and subject by subject, those of one instance given the same scenario.
 */
import t from 'tap';
import type { Alert } from '@gridsafe/shared';
import { waitFor } from '@gridsafe/testkit';
import type { Instance } from './support/cluster.js';
import { openEventStream } from './support/event-stream.js';
import {
  PARTITIONS,
  TOTAL_MESSAGES,
  checkStoredOnce,
  outcome,
  referenceOutcome,
  sendThroughCluster,
  startCluster,
  untilDetected,
} from './support/cluster-scenario.js';
import { partitionOf } from '../src/cluster/partition-of.js';

t.test(
  'three instances behind HAProxy, one SIGKILLed mid-run: stored once, acked only when stored, same alerts',
  async (t) => {
    const reference = await referenceOutcome(t);
    const cluster = await startCluster(t, 3);
    const { instances } = cluster;
    const victimName = (await cluster.owners(instances)).get(partitionOf('gw-a', PARTITIONS)) as string;
    const victim = instances.find((i) => i.name === victimName) as Instance;
    const survivors = instances.filter((i) => i !== victim);
    // Each survivor's live stream, open before the run: it must carry the alerts whichever instance raised them.
    const streams = await Promise.all(survivors.map((i) => openEventStream(`http://127.0.0.1:${i.httpPort}`)));
    t.teardown(() => streams.forEach((stream) => stream.close()));

    let killedAt = 0;
    const killAfter = Math.floor(TOTAL_MESSAGES / 3);
    const reports = await sendThroughCluster(t, cluster, async (acked) => {
      if (acked !== killAfter) return;
      killedAt = Date.now();
      await victim.proc.kill();
    });
    t.ok(killedAt > 0, `${victim.name} (owner of gw-a's partition) SIGKILLed after ${killAfter} acks`);
    t.ok(
      reports.some((r) => r.reconnects > 0),
      `a publisher failed over through HAProxy (reconnects ${reports.map((r) => r.reconnects).join('/')}, resends ${reports.map((r) => r.resends).join('/')})`,
    );

    const takenOver = await waitFor(
      "the dead instance's partitions taken over",
      async () => ((await cluster.owners(survivors)).size === PARTITIONS ? Date.now() : false),
      60_000,
      250,
    );
    t.ok(
      takenOver - killedAt <= 30_000,
      `every partition owned again ${((takenOver - killedAt) / 1000).toFixed(1)} s after the kill`,
    );
    await untilDetected(cluster.db);
    await checkStoredOnce(t, cluster);

    const subjects = ['tx-a', 'c-b', 'm-c2'];
    for (const [i, stream] of streams.entries()) {
      await waitFor(
        `${survivors[i]!.name}'s live stream to carry every alert`,
        () => {
          const seen = new Set(
            stream.events.filter((e) => e.type === 'alert').map((e) => (e.data['alert'] as Alert).subject),
          );
          return subjects.every((subject) => seen.has(subject));
        },
        60_000,
      );
      t.pass(`${survivors[i]!.name}'s live stream carried the alerts of ${subjects.join(', ')}`);
    }

    const clustered = await outcome(survivors[0]!.api);
    t.same(
      clustered.alerts,
      reference.alerts,
      'alerts equal those of one instance, type by type and subject by subject',
    );
    t.same(clustered.cases, reference.cases, 'cases equal those of one instance');
    t.same(await outcome(survivors[1]!.api), clustered, 'any instance answers the same');
  },
);
