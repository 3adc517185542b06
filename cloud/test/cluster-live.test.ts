/**
 * What instances tell each other through a real PostgreSQL. Live events
 * (cluster/live-fan-out.ts): an event published on one instance's bus reaches the other's
 * watchers once and is never echoed back; large events pass (NOTIFY's payload limit is
 * not theirs); across a restart of PostgreSQL, an event published while it was down
 * reaches the other instance once it is back. Registry edits (cluster/registry-sync.ts):
 * a device registered through one instance is in the other's snapshot (what detection
 * and ingest read) within moments, also after a restart.
 */
import t from 'tap';
import { createLogger } from '@gridsafe/shared';
import { waitFor } from '@gridsafe/testkit';
import { startPostgres } from './support/postgres.js';
import { openRelational } from '../src/storage/relational/db.js';
import { LiveBus, type LiveEvent } from '../src/notifications/live-bus.js';
import { LiveFanOut } from '../src/cluster/live-fan-out.js';
import { RegistrySync } from '../src/cluster/registry-sync.js';
import { RegistryStore } from '../src/storage/relational/registry-store.js';

t.test('live events reach every instance, also across a PostgreSQL restart', async (t) => {
  const postgres = await startPostgres({ durableCommits: true });
  t.teardown(() => postgres.stop());
  const url = await postgres.createDatabase('live');
  const log = createLogger('live-test', { level: 'silent' });
  const instance = async () => {
    const rdb = await openRelational({ kind: 'postgres', url });
    const fanOut = new LiveFanOut(url, rdb, log);
    await fanOut.start();
    const bus = new LiveBus();
    fanOut.attach(bus);
    const seen: LiveEvent[] = [];
    bus.subscribe((event) => seen.push(event));
    t.teardown(async () => {
      await fanOut.close();
      await rdb.close();
    });
    return { bus, seen };
  };
  const a = await instance();
  const b = await instance();

  const opened = a.bus.publish({ type: 'alert', action: 'opened', area: 'north', data: { subject: 'tx-1' } });
  await waitFor('the event on the other instance', () => b.seen.length === 1, 30_000);
  t.same(b.seen[0], opened, 'the other instance delivers the same event (id, area, data)');
  const big = b.bus.publish({ type: 'case', action: 'updated', area: null, data: { series: 'x'.repeat(20_000) } });
  await waitFor('the large event', () => a.seen.some((event) => event.id === big.id), 30_000);
  t.pass('an event of 20 kB passes');

  await postgres.shutdown();
  const whileDown = a.bus.publish({ type: 'workorder', action: 'created', area: 'north', data: { id: 'wo-1' } });
  await postgres.start();
  await waitFor(
    'the event published while PostgreSQL was down',
    () => b.seen.some((e) => e.id === whileDown.id),
    60_000,
  );
  const after = b.bus.publish({ type: 'alert', action: 'resolved', area: 'north', data: { subject: 'tx-1' } });
  await waitFor('an event after the restart', () => a.seen.some((e) => e.id === after.id), 30_000);

  await new Promise((resolve) => setTimeout(resolve, 500));
  t.same(
    a.seen.map((e) => e.id),
    [opened.id, big.id, whileDown.id, after.id],
    "instance a: its own events once (locally) and b's once, in order",
  );
  t.same(
    b.seen.map((e) => e.id),
    [opened.id, big.id, whileDown.id, after.id],
    'instance b: the same, once each',
  );
});

t.test("a registry edit through one instance is in the other's snapshot at once", async (t) => {
  const postgres = await startPostgres({ durableCommits: true });
  t.teardown(() => postgres.stop());
  const url = await postgres.createDatabase('registry');
  const log = createLogger('registry-test', { level: 'silent' });
  const instance = async () => {
    const rdb = await openRelational({ kind: 'postgres', url });
    const registry = new RegistryStore(rdb);
    await registry.refresh();
    const sync = new RegistrySync(url, rdb, registry, log);
    await sync.start();
    t.teardown(async () => {
      await sync.stop();
      await rdb.close();
    });
    return registry;
  };
  const a = await instance();
  const b = await instance();
  const device = (id: string) => ({
    id,
    gateway: 'gw-1',
    kind: 'meter' as const,
    ctRatio: 1,
    ptRatio: 1,
    ctSecondaryA: 5,
  });
  await a.putDevice(device('m-new'), 'create');
  // No periodic refresh runs here: only the announcement can bring it.
  await waitFor("the device in the other instance's snapshot", () => b.device('m-new') !== undefined, 20_000);
  t.pass('registered through a, seen by b');

  await postgres.shutdown();
  await postgres.start();
  await waitFor(
    'a write after the restart',
    async () => {
      await b.putDevice(device('m-after'), 'upsert');
      return true;
    },
    30_000,
    500,
  );
  await waitFor('the device registered after the restart', () => a.device('m-after') !== undefined, 20_000);
  t.pass('after a PostgreSQL restart, registered through b, seen by a');
});
