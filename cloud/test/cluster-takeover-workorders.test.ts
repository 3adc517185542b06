/**
 * A work order the dead instance had not opened yet is opened on takeover (issue 13):
 * two CLI instances in cluster mode on one PostgreSQL and InfluxDB. An alert is committed
 * the way a detection run commits it, with no work order after it (the instance that
 * raised it died in between: the workflow opens the order after the alert's commit). No
 * instance opens it while both live; SIGKILL one, and the survivor, taking its detection
 * partitions over, opens the order within the takeover interval.
 */
import t from 'tap';
import { waitFor } from '@gridsafe/testkit';
import { startInstance, startSharedStores, type Instance } from './support/cluster.js';
import { openRelational } from '../src/storage/relational/db.js';
import { SqlAlertStore } from '../src/storage/relational/alert-store.js';
import { LINE_LOSS_MIGRATIONS } from '../src/lineloss/migration.js';
import { FORECAST_MIGRATIONS } from '../src/forecast/migration.js';
import { workflowMigrations } from '../src/workflow-plugin/migrations.js';

const TAKEOVER_SECONDS = 2;

const ordersOf = async (instance: Instance, alert: string) =>
  (await instance.api<{ items: Array<{ id: string; alertId: string }> }>(`/api/v1/workorders?alert=${alert}`)).items;

const partitionsOwned = async (instance: Instance) =>
  (await instance.metric('gridsafe_cluster_partitions_owned')).get('') ?? 0;

t.test("a dead instance's alert without a work order gets one when its partitions are taken over", async (t) => {
  const { databaseUrl, env } = await startSharedStores(t, 'takeover', TAKEOVER_SECONDS);
  // The first applies the migrations; the second joins it.
  const first = await startInstance(t, 'cloud-1', env('cloud-1'));
  const second = await startInstance(t, 'cloud-2', env('cloud-2'));
  // Shared out evenly (64 partitions by default): no partition changes hands any more.
  await waitFor(
    'the partitions shared out',
    async () => (await partitionsOwned(first)) === 32 && (await partitionsOwned(second)) === 32,
    60_000,
    250,
  );

  // A round more, so the catch-up each ran on taking its partitions is over before the alert.
  await new Promise((resolve) => setTimeout(resolve, TAKEOVER_SECONDS * 1000));

  // The instances' migrations, all applied already: the same set, so none is missing.
  const rdb = await openRelational(
    { kind: 'postgres', url: databaseUrl, poolSize: 1 },
    { extraMigrations: { ...LINE_LOSS_MIGRATIONS, ...FORECAST_MIGRATIONS, ...workflowMigrations('postgres') } },
  );
  t.teardown(() => rdb.close());
  const { alert, opened } = await new SqlAlertStore(rdb).raise({
    type: 'overload',
    subject: 'tx-takeover',
    subjectKind: 'transformer',
    severity: 'critical',
    ts: Date.now(),
    evidence: { loadingPct: 150 },
  });
  t.ok(opened, 'an alert committed with no work order after it');

  // Rounds go by with both instances alive: nobody takes anything over, nobody opens the order.
  await new Promise((resolve) => setTimeout(resolve, 3 * TAKEOVER_SECONDS * 1000));
  t.same(await ordersOf(first, alert.id), [], 'no work order while no instance died');

  await second.proc.kill();
  const killedAt = Date.now();
  const orders = await waitFor(
    'the survivor to open the work order on takeover',
    async () => {
      const found = await ordersOf(first, alert.id);
      return found.length > 0 ? found : undefined;
    },
    30_000,
    250,
  );
  t.equal(orders.length, 1, `one work order, opened ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill`);
  t.equal(orders[0]?.alertId, alert.id, 'for the alert the dead instance left without one');
});
