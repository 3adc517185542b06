/**
 * The engines the cluster relies on, restarted under load (issue 13): two instances in
 * cluster mode behind HAProxy run the scenario of support/cluster-scenario.ts while
 * HAProxy is SIGKILLed and started again (every gateway connection drops) and later
 * PostgreSQL stops and starts again (ledger, leases and live events away). Every batch
 * and event is stored exactly once, each PUBACK came only for something stored, the
 * partitions are owned again after PostgreSQL is back, and the alerts and cases equal
 * those of one instance given the same scenario.
 */
import t from 'tap';
import { waitFor } from '@gridsafe/testkit';
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

t.test('HAProxy and PostgreSQL restarted mid-run: stored once, acked only when stored, same alerts', async (t) => {
  const reference = await referenceOutcome(t);
  const cluster = await startCluster(t, 2);

  const done: string[] = [];
  const reports = await sendThroughCluster(t, cluster, async (acked) => {
    if (acked === Math.floor(TOTAL_MESSAGES / 4)) {
      await cluster.haproxy.restart();
      done.push(`HAProxy restarted after ${acked} acks`);
    }
    if (acked === Math.floor(TOTAL_MESSAGES / 2)) {
      await cluster.postgres.shutdown();
      await new Promise((resolve) => setTimeout(resolve, 2000));
      await cluster.postgres.start();
      done.push(`PostgreSQL stopped for 2 s after ${acked} acks`);
    }
  });
  t.equal(done.length, 2, done.join('; '));
  t.ok(
    reports.every((r) => r.reconnects > 0),
    `every publisher reconnected after the HAProxy restart (reconnects ${reports.map((r) => r.reconnects).join('/')})`,
  );

  await waitFor(
    'every partition owned again after the PostgreSQL restart',
    async () => (await cluster.owners(cluster.instances)).size === PARTITIONS,
    60_000,
    250,
  );
  t.pass('every partition owned again after the PostgreSQL restart');
  await untilDetected(cluster.db);
  await checkStoredOnce(t, cluster);
  const clustered = await outcome(cluster.instances[0]!.api);
  t.same(clustered.alerts, reference.alerts, 'alerts equal those of one instance, type by type and subject by subject');
  t.same(clustered.cases, reference.cases, 'cases equal those of one instance');
});
