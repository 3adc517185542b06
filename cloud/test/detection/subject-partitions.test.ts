/**
 * Subjects grouped into detection partitions (cluster/subject-partitions.ts): a device,
 * its transformer and its customer have one partition whatever gateways their meters are
 * on; a gateway's own subjects go with its devices when they are in one group, and it
 * feeds that home and its devices' groups' partitions; a registry edit that
 * moves a device moves its subjects, and is reported as a change only when one moved.
 */
import t from 'tap';
import type { Device } from '@gridsafe/shared';
import { RegistrySnapshot } from '../../src/storage/relational/registry-snapshot.js';
import { SubjectPartitions } from '../../src/cluster/subject-partitions.js';
import { partitionOf } from '../../src/cluster/partition-of.js';

const PARTITIONS = 64;
const meter = (id: string, gateway: string, links: Partial<Pick<Device, 'transformer' | 'customer'>>): Device => ({
  id,
  gateway,
  kind: 'meter',
  ctRatio: 1,
  ptRatio: 1,
  ctSecondaryA: 5,
  ...links,
});

t.test('subjects sharing state have one partition; gateways feed theirs; moves regroup', async (t) => {
  const registry = new RegistrySnapshot();
  // tx-1 metered on gw-a and gw-b; c-1's meter is under tx-1 on gw-c; c-2 is metered on gw-a and gw-d alone.
  registry.replace(
    [],
    [],
    [
      meter('m-1', 'gw-a', { transformer: 'tx-1' }),
      meter('m-2', 'gw-b', { transformer: 'tx-1' }),
      meter('m-3', 'gw-c', { transformer: 'tx-1', customer: 'c-1' }),
      meter('m-4', 'gw-a', { customer: 'c-2' }),
      meter('m-5', 'gw-d', { customer: 'c-2' }),
    ],
  );
  const subjects = new SubjectPartitions(registry, PARTITIONS);
  t.ok(subjects.changed(), 'the first grouping is a change');
  t.notOk(subjects.changed(), 'nothing changed since');

  const tx1 = partitionOf('tx-1', PARTITIONS);
  const c2 = partitionOf('c-2', PARTITIONS);
  t.not(tx1, c2, 'the two groups hash apart here (the checks below tell them apart)');
  const of = (kind: 'device' | 'transformer' | 'customer' | 'gateway', subject: string, gateway = 'gw-x') =>
    subjects.ofSubject({ subject, kind }, gateway);
  t.same(
    [of('transformer', 'tx-1'), of('device', 'm-1'), of('device', 'm-2'), of('device', 'm-3'), of('customer', 'c-1')],
    [tx1, tx1, tx1, tx1, tx1],
    "tx-1, its meters and the customer metered under it: the transformer's partition",
  );
  t.same(
    [of('customer', 'c-2'), of('device', 'm-4'), of('device', 'm-5')],
    [c2, c2, c2],
    "c-2 and its meters: the customer's partition",
  );
  // gw-a's devices are in two groups: its own subjects go by its id; gw-b's are all tx-1's.
  t.equal(of('gateway', 'gw-a'), partitionOf('gw-a', PARTITIONS), 'gw-a (two groups): home by its id');
  t.equal(of('gateway', 'gw-b'), tx1, "gw-b (one group): home with its devices, tx-1's partition");
  t.equal(of('device', 'm-unknown', 'gw-b'), tx1, "an unknown device: its gateway's home");
  t.equal(of('gateway', 'gw-new'), partitionOf('gw-new', PARTITIONS), 'a gateway without devices: by its id');
  t.same(
    subjects.ofGateway('gw-a'),
    [...new Set([partitionOf('gw-a', PARTITIONS), tx1, c2])].sort((a, b) => a - b),
    "gw-a feeds its home, tx-1's and c-2's partitions",
  );
  t.same(subjects.ofGateway('gw-b'), [tx1], 'gw-b feeds one partition');

  // Registry refreshed with nothing moved: no change reported.
  registry.replace([], [], [...registry.allDevices()]);
  t.notOk(subjects.changed(), 'a refresh that moves nothing is no change');

  // m-5 moves to tx-9 (and off c-2): its subjects go to tx-9's group, gw-d now feeds it.
  registry.setDevice('m-5', meter('m-5', 'gw-d', { transformer: 'tx-9' }));
  t.ok(subjects.changed(), 'a moved device is a change');
  const tx9 = partitionOf('tx-9', PARTITIONS);
  t.equal(of('device', 'm-5'), tx9, "m-5 now in tx-9's partition");
  t.equal(of('customer', 'c-2'), c2, 'c-2 stays where it was');
  t.same(subjects.ofGateway('gw-d'), [tx9], "gw-d now feeds tx-9's partition alone, its home with it");
});
