/**
 * A subject fed by gateways of different partitions has one owner (issue 13): transformer
 * tx-x has its two meters on gw-1 and gw-2, and customer c-y its two meters on the same
 * two gateways; gw-1 also reads tx-y's meter, which is in the other partition, so gw-1's
 * batches feed both partitions, and each of the two CLI instances behind HAProxy owns one.
 * Overload (tx-x's load is the sum of both meters) and the capacity violation (c-y's
 * demand is the sum of both) are only seen by an owner that has both meters' readings;
 * two owners each with one meter see half the load. The owner of tx-x's partition is
 * SIGKILLed mid-run and the other takes it over. The alerts and cases equal, type by
 * type and subject by subject, those of one instance given the same batches in the same
 * order. And a meter moved to a transformer of the other partition takes its subjects
 * to that partition's owner.
 */
import t, { type Test } from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { topics, type Device } from '@gridsafe/shared';
import { waitFor } from '@gridsafe/testkit';
import { batch, reading } from './support/cloud.js';
import { startHaproxy, startInstance, startSharedStores, type Instance } from './support/cluster.js';
import { outcome, singleInstanceOutcome, untilDetected, untilIdle } from './support/cluster-scenario.js';
import { OutboxPublisher, type OutboxMessage } from './support/outbox-publisher.js';
import { SubjectPartitions } from '../src/cluster/subject-partitions.js';
import { RegistrySnapshot } from '../src/storage/relational/registry-snapshot.js';
import pg from 'pg';

const MIN = 60_000;
const PARTITIONS = 2;
const PER_BATCH = 5;
/** Batches per gateway: 120 event-minutes. */
const BATCHES = 24;
const GATEWAYS = { 'gw-1': 'gw-1-spanning-secret', 'gw-2': 'gw-2-spanning-secret' };
type Gateway = keyof typeof GATEWAYS;
const T0 = Math.floor(Date.now() / (24 * 60 * MIN)) * 24 * 60 * MIN - 24 * 60 * MIN + 2 * 60 * MIN;

const SEED = {
  transformers: [
    { id: 'tx-x', site: 'X substation', ratedKva: 100, area: 'north' },
    { id: 'tx-w', site: 'W substation', ratedKva: 50, area: 'north' },
    { id: 'tx-y', site: 'Y substation', ratedKva: 200, area: 'north' },
  ],
  customers: [{ id: 'c-y', name: 'Y Co.', contractKva: 50, tariff: 'two_part' }],
  devices: [
    { id: 'm-x1', gateway: 'gw-1', kind: 'meter', transformer: 'tx-x', ctRatio: 1, ptRatio: 1, ctSecondaryA: 5 },
    { id: 'm-x2', gateway: 'gw-2', kind: 'meter', transformer: 'tx-x', ctRatio: 1, ptRatio: 1, ctSecondaryA: 5 },
    { id: 'm-y1', gateway: 'gw-1', kind: 'meter', customer: 'c-y', ctRatio: 1, ptRatio: 1, ctSecondaryA: 5 },
    { id: 'm-y2', gateway: 'gw-2', kind: 'meter', customer: 'c-y', ctRatio: 1, ptRatio: 1, ctSecondaryA: 5 },
    // gw-1 also reads tx-y's meter (another group, the other partition): its batches feed both partitions.
    { id: 'm-z1', gateway: 'gw-1', kind: 'meter', transformer: 'tx-y', ctRatio: 1, ptRatio: 1, ctSecondaryA: 5 },
  ],
  gateways: Object.entries(GATEWAYS).map(([id, secret]) => ({ id, secret })),
};
const CONFIG = { detectors: { overload: { holdSeconds: 120 } } };

/** kW of a meter at event minute `m`. */
type Load = (device: string, m: number) => number;

/**
 * Each meter carries half: tx-x at 150 % for an hour (75 % on each meter), c-y at 160 %
 * of contract for 90 minutes; tx-y's meter at 20 % throughout.
 */
const SPANNING_LOAD: Load = (device, m) => {
  if (device.startsWith('m-x')) return m >= 30 && m < 90 ? 75 : 40;
  if (device.startsWith('m-y')) return m >= 20 && m < 110 ? 40 : 15;
  return 40;
};

/** A gateway's batches `from` to `to` (1-based seqs, PER_BATCH minutes each), its meters loaded by `load`. */
function outbox(gateway: Gateway, from: number, to: number, load: Load): OutboxMessage[] {
  const meters = gateway === 'gw-1' ? ['m-x1', 'm-y1', 'm-z1'] : ['m-x2', 'm-y2'];
  const messages: OutboxMessage[] = [];
  for (let seq = from; seq <= to; seq++) {
    const readings = [];
    for (let m = (seq - 1) * PER_BATCH; m < seq * PER_BATCH; m++)
      for (const meter of meters) {
        const kw = load(meter, m);
        readings.push(reading(meter, T0 + m * MIN, { p_kw: kw, s_kva: kw * 1.02 }));
      }
    messages.push({
      topic: topics.telemetry(gateway),
      payload: JSON.stringify(batch(gateway, seq, readings)),
      key: `${gateway}/${seq}`,
    });
  }
  return messages;
}

/**
 * Sends the two gateways' batches `from` to `to` in lockstep (gw-1's k-th, then gw-2's
 * k-th, each once acknowledged), so both runs receive them in one order, failover
 * included: a detector that combines two meters answers by the order it sees them in.
 */
async function sendAll(
  url: string,
  [from, to]: [number, number],
  load: Load,
  onAck?: (acked: number) => Promise<void>,
) {
  let acked = 0;
  const gateways = Object.keys(GATEWAYS) as Gateway[];
  const publishers = gateways.map((gw) => new OutboxPublisher(url, gw, GATEWAYS[gw]));
  const outboxes = gateways.map((gw) => outbox(gw, from, to, load));
  try {
    for (let k = 0; k <= to - from; k++)
      for (const [i, publisher] of publishers.entries())
        await publisher.send([outboxes[i]![k]!], { pauseMs: 20, onAck: async () => onAck?.(++acked) });
  } finally {
    await Promise.all(publishers.map((publisher) => publisher.close()));
  }
}

/** Subjects grouped into partitions as every instance groups them, with these devices. */
function partitionsOf(devices: readonly object[]): SubjectPartitions {
  const registry = new RegistrySnapshot();
  registry.replace([], [], devices as Device[]);
  const grouping = new SubjectPartitions(registry, PARTITIONS);
  grouping.changed();
  return grouping;
}

/** Two CLI instances behind HAProxy on fresh shared stores, each owning one of the two partitions. */
async function startTwoInstances(t: Test, name: string) {
  const stores = await startSharedStores(t, name, 2);
  writeFileSync(join(stores.dir, 'seed.json'), JSON.stringify(SEED));
  writeFileSync(join(stores.dir, 'cloud.json'), JSON.stringify({ ...CONFIG, cluster: { partitions: PARTITIONS } }));
  const args = ['--config', join(stores.dir, 'cloud.json')];
  const first = await startInstance(t, 'cloud-1', stores.env('cloud-1', join(stores.dir, 'seed.json')), args);
  const second = await startInstance(t, 'cloud-2', stores.env('cloud-2'), args);
  const instances = [first, second];
  const ownerOf = async (partition: number) => {
    for (const instance of instances)
      if ((await instance.metric('gridsafe_cluster_partition_owned')).has(`partition="${partition}"`)) return instance;
    return undefined;
  };
  const owners = await waitFor(
    'one partition on each instance',
    async () => {
      const found = await Promise.all([ownerOf(0), ownerOf(1)]);
      return found[0] && found[1] && found[0] !== found[1] ? (found as Instance[]) : undefined;
    },
    60_000,
    250,
  );
  t.pass(`partition 0 on ${owners[0]!.name}, partition 1 on ${owners[1]!.name}`);
  const haproxy = await startHaproxy(
    t,
    stores.dir,
    instances.map((i) => i.mqttPort),
  );
  const db = new pg.Pool({ connectionString: stores.databaseUrl, max: 1 });
  t.teardown(() => db.end());
  return { owners, mqttUrl: `mqtt://127.0.0.1:${haproxy.port}`, db };
}

t.test('a transformer and a customer fed by gateways of two partitions get the single-instance alerts', async (t) => {
  const grouping = partitionsOf(SEED.devices);
  t.same(
    [
      grouping.ofSubject({ subject: 'tx-x', kind: 'transformer' }, 'gw-1'),
      grouping.ofSubject({ subject: 'c-y', kind: 'customer' }, 'gw-1'),
    ],
    [0, 0],
    'tx-x and c-y in partition 0',
  );
  t.same(grouping.ofGateway('gw-1'), [0, 1], "gw-1's batches feed both partitions (tx-y and gw-1's own subjects in 1)");
  const reference = await singleInstanceOutcome(t, SEED, CONFIG, (single) =>
    sendAll(single.mqttUrl, [1, BATCHES], SPANNING_LOAD),
  );
  t.ok(
    reference.alerts.some((a) => a.startsWith('overload tx-x')),
    `reference: ${reference.alerts.join('; ')}`,
  );
  t.ok(
    reference.alerts.some((a) => a.startsWith('capacity_violation c-y')),
    'reference has the capacity violation',
  );

  const { owners, mqttUrl, db } = await startTwoInstances(t, 'spanning');
  // The owner of tx-x's and c-y's partition is SIGKILLed a third of the way through.
  const victim = owners[0] as Instance;
  const survivor = owners.find((i) => i !== victim) as Instance;
  const killAt = Math.floor((2 * BATCHES) / 3);
  await sendAll(mqttUrl, [1, BATCHES], SPANNING_LOAD, async (acked) => {
    if (acked === killAt) await victim.proc.kill();
  });
  t.pass(`${victim.name}, owner of the tx-x group, SIGKILLed after ${killAt} acks`);

  await untilDetected(db);
  const left = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM detection_done');
  t.equal(left.rows[0]?.n, 0, 'no item left half done');
  const clustered = await outcome(survivor.api);
  t.same(clustered.alerts, reference.alerts, 'alerts equal those of one instance, type by type and subject by subject');
  t.same(clustered.cases, reference.cases, 'cases equal those of one instance');
});

/** m-x2 at 40 kW for the first hour, then 75: under tx-x (100 kVA) until moved, 150 % of tx-w (50 kVA) after. */
const MOVE_LOAD: Load = (device, m) => (device === 'm-x2' && m >= 60 ? 75 : device.startsWith('m-y') ? 15 : 40);
const MOVED = { ...SEED.devices[1]!, transformer: 'tx-w' };
const moveDevice = (base: string) =>
  fetch(`${base}/api/v1/devices/${MOVED.id}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(MOVED),
  }).then((response) => (response.ok ? undefined : Promise.reject(new Error(`PUT device: ${response.status}`))));

t.test(
  "a meter moved to a transformer of the other partition takes its subjects to that partition's owner",
  async (t) => {
    t.equal(
      partitionsOf(SEED.devices.map((device) => (device.id === MOVED.id ? MOVED : device))).ofSubject(
        { subject: 'tx-w', kind: 'transformer' },
        'gw-2',
      ),
      1,
      "once m-x2 is moved, tx-w in partition 1, tx-x's the other",
    );
    const half = BATCHES / 2;
    const reference = await singleInstanceOutcome(t, SEED, CONFIG, async (single) => {
      await sendAll(single.mqttUrl, [1, half], MOVE_LOAD);
      await untilIdle(single);
      await moveDevice(single.httpUrl);
      await sendAll(single.mqttUrl, [half + 1, BATCHES], MOVE_LOAD);
    });
    t.ok(
      reference.alerts.some((a) => a.startsWith('overload tx-w')) &&
        !reference.alerts.some((a) => a.startsWith('overload tx-x')),
      `reference: tx-w overloaded, tx-x not (${reference.alerts.join('; ')})`,
    );

    const { owners, mqttUrl, db } = await startTwoInstances(t, 'moving');
    await sendAll(mqttUrl, [1, half], MOVE_LOAD);
    await untilDetected(db);
    // Through the instance that does not own tx-w's partition: the owner learns of it by NOTIFY.
    const notOwner = owners[0] as Instance;
    await moveDevice(`http://127.0.0.1:${notOwner.httpPort}`);
    await sendAll(mqttUrl, [half + 1, BATCHES], MOVE_LOAD);
    await untilDetected(db);
    const clustered = await outcome(owners[0]!.api);
    t.same(clustered.alerts, reference.alerts, 'alerts equal those of one instance given the same edit');
    t.same(await outcome(owners[1]!.api), clustered, 'both instances answer the same');
  },
);
