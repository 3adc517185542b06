/**
 * A subject fed by gateways of different partitions has one owner (issue 13): transformer
 * tx-x has its two meters on gw-1 and gw-2, and customer c-y its two meters on the same
 * two gateways; the gateways hash to different partitions, and each of the two CLI
 * instances behind HAProxy owns one. Overload (tx-x's load is the sum of both meters) and
 * the capacity violation (c-y's demand is the sum of both) are only seen by an owner
 * that has both meters' readings; two owners each with one meter see half the load. The
 * owner of the group's partition is SIGKILLed mid-run and the other takes it over. The
 * alerts and cases equal, type by type and subject by subject, those of one instance
 * given the same batches in the same order.
 */
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { topics } from '@gridsafe/shared';
import { waitFor } from '@gridsafe/testkit';
import { batch, reading } from './support/cloud.js';
import { startHaproxy, startInstance, startSharedStores, type Instance } from './support/cluster.js';
import { outcome, singleInstanceOutcome, untilDetected } from './support/cluster-scenario.js';
import { OutboxPublisher, type OutboxMessage } from './support/outbox-publisher.js';
import { partitionOf } from '../src/cluster/partition-of.js';
import pg from 'pg';

const MIN = 60_000;
const PARTITIONS = 2;
const MINUTES = 120;
const PER_BATCH = 5;
const GATEWAYS = { 'gw-1': 'gw-1-spanning-secret', 'gw-2': 'gw-2-spanning-secret' };
type Gateway = keyof typeof GATEWAYS;
const T0 = Math.floor(Date.now() / (24 * 60 * MIN)) * 24 * 60 * MIN - 24 * 60 * MIN + 2 * 60 * MIN;

const SEED = {
  transformers: [{ id: 'tx-x', site: 'X substation', ratedKva: 100, area: 'north' }],
  customers: [{ id: 'c-y', name: 'Y Co.', contractKva: 50, tariff: 'two_part' }],
  devices: [
    { id: 'm-x1', gateway: 'gw-1', kind: 'meter', transformer: 'tx-x', ctRatio: 1, ptRatio: 1, ctSecondaryA: 5 },
    { id: 'm-x2', gateway: 'gw-2', kind: 'meter', transformer: 'tx-x', ctRatio: 1, ptRatio: 1, ctSecondaryA: 5 },
    { id: 'm-y1', gateway: 'gw-1', kind: 'meter', customer: 'c-y', ctRatio: 1, ptRatio: 1, ctSecondaryA: 5 },
    { id: 'm-y2', gateway: 'gw-2', kind: 'meter', customer: 'c-y', ctRatio: 1, ptRatio: 1, ctSecondaryA: 5 },
  ],
  gateways: Object.entries(GATEWAYS).map(([id, secret]) => ({ id, secret })),
};
const CONFIG = { detectors: { overload: { holdSeconds: 120 } } };

/** Each meter carries half: tx-x at 150 % for an hour (75 % on each meter), c-y at 160 % of contract for 90 minutes. */
function outbox(gateway: Gateway): OutboxMessage[] {
  const [tx, customer] = gateway === 'gw-1' ? ['m-x1', 'm-y1'] : ['m-x2', 'm-y2'];
  const messages: OutboxMessage[] = [];
  for (let k = 0; k < MINUTES / PER_BATCH; k++) {
    const readings = [];
    for (let m = k * PER_BATCH; m < (k + 1) * PER_BATCH; m++) {
      const txKw = m >= 30 && m < 90 ? 75 : 40;
      const customerKw = m >= 20 && m < 110 ? 40 : 15;
      readings.push(reading(tx, T0 + m * MIN, { p_kw: txKw, s_kva: txKw * 1.02 }));
      readings.push(reading(customer, T0 + m * MIN, { p_kw: customerKw, s_kva: customerKw * 1.02 }));
    }
    messages.push({
      topic: topics.telemetry(gateway),
      payload: JSON.stringify(batch(gateway, k + 1, readings)),
      key: `${gateway}/${k + 1}`,
    });
  }
  return messages;
}

/**
 * Sends the two gateways' batches in lockstep (gw-1's k-th, then gw-2's k-th, each once
 * acknowledged), so both runs receive them in one order, failover included: a detector
 * that combines two meters answers by the order it sees them in.
 */
async function sendAll(url: string, onAck?: (acked: number) => Promise<void>) {
  let acked = 0;
  const gateways = Object.keys(GATEWAYS) as Gateway[];
  const publishers = gateways.map((gw) => new OutboxPublisher(url, gw, GATEWAYS[gw]));
  const outboxes = gateways.map(outbox);
  try {
    for (let k = 0; k < MINUTES / PER_BATCH; k++)
      for (const [i, publisher] of publishers.entries())
        await publisher.send([outboxes[i]![k]!], { pauseMs: 20, onAck: async () => onAck?.(++acked) });
  } finally {
    await Promise.all(publishers.map((publisher) => publisher.close()));
  }
}

t.test('a transformer and a customer fed by gateways of two partitions get the single-instance alerts', async (t) => {
  t.not(
    partitionOf('gw-1', PARTITIONS),
    partitionOf('gw-2', PARTITIONS),
    'the two gateways are in different partitions',
  );

  const reference = await singleInstanceOutcome(t, SEED, CONFIG, (url) => sendAll(url));
  t.ok(
    reference.alerts.some((a) => a.startsWith('overload tx-x')),
    `reference: ${reference.alerts.join('; ')}`,
  );
  t.ok(
    reference.alerts.some((a) => a.startsWith('capacity_violation c-y')),
    'reference has the capacity violation',
  );

  const stores = await startSharedStores(t, 'spanning', 2);
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
  // The group of tx-x and c-y is named by tx-x: its owner is SIGKILLed a third of the way through.
  const victim = owners[partitionOf('tx-x', PARTITIONS)] as Instance;
  const survivor = victim === first ? second : first;

  const haproxy = await startHaproxy(
    t,
    stores.dir,
    instances.map((i) => i.mqttPort),
  );
  const total = 2 * (MINUTES / PER_BATCH);
  await sendAll(`mqtt://127.0.0.1:${haproxy.port}`, async (acked) => {
    if (acked === Math.floor(total / 3)) await victim.proc.kill();
  });
  t.pass(`${victim.name}, owner of the tx-x group, SIGKILLed after ${Math.floor(total / 3)} acks`);

  const db = new pg.Pool({ connectionString: stores.databaseUrl, max: 1 });
  t.teardown(() => db.end());
  await untilDetected(db);
  const left = await db.query('SELECT count(*)::int AS n FROM detection_done');
  t.equal(left.rows[0].n, 0, 'no item left half done');
  const clustered = await outcome(survivor.api);
  t.same(clustered.alerts, reference.alerts, 'alerts equal those of one instance, type by type and subject by subject');
  t.same(clustered.cases, reference.cases, 'cases equal those of one instance');
});
