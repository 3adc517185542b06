/**
 * The clustered scenario of the cluster tests (cluster.test.ts, cluster-restart.test.ts):
 * three gateways over 150 event-minutes, with an overload (tx-a at 150 % for an hour), a
 * capacity violation (c-b at 150 % of contract for 90 minutes) and a comm loss (m-c2
 * silent for 45 minutes, with the gateway's comm_lost / comm_restored events); the stores
 * and instances of the cluster; the single-instance reference; and the checks that every
 * message was stored exactly once.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import pg from 'pg';
import { createLogger, topics, type Alert } from '@gridsafe/shared';
import { waitFor } from '@gridsafe/testkit';
import { startPostgres, type Postgres } from './postgres.js';
import { startInfluxd, type Influxd } from './influxd.js';
import { batch, reading, startTestCloud, type TestCloud } from './cloud.js';
import { startHaproxy, startInstance, type Haproxy, type Instance } from './cluster.js';
import { OutboxPublisher, type OutboxMessage, type OutboxReport } from './outbox-publisher.js';
import { createInfluxSeriesStore } from '../../src/storage/series/influx.js';

const MIN = 60_000;
const H = 60 * MIN;
const DAY = 24 * H;
export const PARTITIONS = 8;
export const TAKEOVER_SECONDS = 3;
const MINUTES = 150;
const PER_BATCH = 5;
export const BATCHES = MINUTES / PER_BATCH;

// Event time: yesterday from 09:00 local (UTC+8), so every demand period falls in one local day.
const T0 = Math.floor((Date.now() + 8 * H) / DAY) * DAY - 8 * H - DAY + 9 * H;

export const GATEWAYS = { 'gw-a': 'gw-a-cluster-secret', 'gw-b': 'gw-b-cluster-secret', 'gw-c': 'gw-c-cluster-secret' };
export type Gateway = keyof typeof GATEWAYS;

export const SEED = {
  transformers: [{ id: 'tx-a', site: 'A substation', ratedKva: 100, area: 'north' }],
  customers: [{ id: 'c-b', name: 'B Co.', contractKva: 100, tariff: 'two_part' }],
  devices: [
    { id: 'm-a', gateway: 'gw-a', kind: 'meter', transformer: 'tx-a', ctRatio: 1, ptRatio: 1, ctSecondaryA: 5 },
    { id: 'm-b', gateway: 'gw-b', kind: 'meter', customer: 'c-b', ctRatio: 1, ptRatio: 1, ctSecondaryA: 5 },
    { id: 'm-c1', gateway: 'gw-c', kind: 'meter', ctRatio: 1, ptRatio: 1, ctSecondaryA: 5 },
    { id: 'm-c2', gateway: 'gw-c', kind: 'meter', ctRatio: 1, ptRatio: 1, ctSecondaryA: 5 },
  ],
  gateways: Object.entries(GATEWAYS).map(([id, secret]) => ({ id, secret })),
};
const CONFIG = { detectors: { overload: { holdSeconds: 120 } } };

/** Readings of minute `m` per gateway: tx-a at 150 % for an hour, c-b at 150 % of contract for 90 minutes, m-c2 silent for 45. */
function readingsAt(gateway: Gateway, m: number) {
  const ts = T0 + m * MIN;
  if (gateway === 'gw-a') {
    const kw = m >= 30 && m < 90 ? 150 : 60;
    return [reading('m-a', ts, { p_kw: kw, s_kva: kw * 1.02 })];
  }
  if (gateway === 'gw-b') {
    const kw = m >= 20 && m < 110 ? 150 : 50;
    return [reading('m-b', ts, { p_kw: kw, s_kva: kw * 1.02 })];
  }
  const silent = m >= 55 && m < 100;
  return [reading('m-c1', ts, { p_kw: 20 }), ...(silent ? [] : [reading('m-c2', ts, { p_kw: 15 })])];
}

/** A gateway's outbox: its batches in seq order, gw-c's comm_lost / comm_restored events where they happen. */
function outbox(gateway: Gateway): OutboxMessage[] {
  const messages: OutboxMessage[] = [];
  for (let k = 0; k < BATCHES; k++) {
    const readings = [];
    for (let m = k * PER_BATCH; m < (k + 1) * PER_BATCH; m++) readings.push(...readingsAt(gateway, m));
    const seq = k + 1;
    messages.push({
      topic: topics.telemetry(gateway),
      payload: JSON.stringify(batch(gateway, seq, readings)),
      key: `batch ${gateway}/${seq}`,
    });
    const event = (seq: number, type: string, m: number) =>
      messages.push({
        topic: topics.events(gateway),
        payload: JSON.stringify({ gateway, seq, ts: T0 + m * MIN, device: 'm-c2', type }),
        key: `event ${gateway}/${seq}`,
      });
    if (gateway === 'gw-c' && k === 12) event(1, 'comm_lost', 60);
    if (gateway === 'gw-c' && k === 20) event(2, 'comm_restored', 100);
  }
  return messages;
}

const expectedReadings = (device: string) => (device === 'm-c2' ? MINUTES - 45 : MINUTES);

export interface Outcome {
  alerts: string[];
  cases: string[];
}

export async function outcome(api: <T>(path: string) => Promise<T>): Promise<Outcome> {
  const alerts = await api<{ items: Alert[] }>('/api/v1/alerts?limit=500');
  const cases = await api<{ items: Array<{ customer: string; state: string; maxDemandKw: number }> }>(
    '/api/v1/cases?limit=500',
  );
  return {
    alerts: alerts.items
      .map(
        (a) =>
          `${a.type} ${a.subject} ${a.severity} ${a.state} opened ${new Date(a.openedAt).toISOString()} x${a.occurrences}`,
      )
      .sort(),
    cases: cases.items.map((c) => `${c.customer} ${c.state} max ${c.maxDemandKw.toFixed(1)} kW`).sort(),
  };
}

async function sendAll(url: string, onAck?: (gateway: Gateway, message: OutboxMessage) => Promise<void>) {
  const publishers = (Object.keys(GATEWAYS) as Gateway[]).map((gw) => ({
    gw,
    publisher: new OutboxPublisher(url, gw, GATEWAYS[gw]),
  }));
  try {
    return await Promise.all(
      publishers.map(({ gw, publisher }) =>
        publisher.send(outbox(gw), { pauseMs: 40, ...(onAck ? { onAck: (m) => onAck(gw, m) } : {}) }),
      ),
    );
  } finally {
    await Promise.all(publishers.map(({ publisher }) => publisher.close()));
  }
}

/** Messages of the whole scenario: every gateway's batches and gw-c's two events. */
export const TOTAL_MESSAGES = 3 * BATCHES + 2;

/** Waits until a single instance's detection has processed everything it stored. */
export async function untilIdle(single: TestCloud): Promise<void> {
  await waitFor(
    'single-instance detection to finish',
    async () => {
      if (single.detection.depth > 0) return false;
      await new Promise((resolve) => setTimeout(resolve, 300));
      return single.detection.depth === 0;
    },
    120_000,
  );
}

/** What one instance on its embedded stores makes of a run (`send` publishes it, and may edit the registry). */
export async function singleInstanceOutcome(
  t: Test,
  seed: unknown,
  config: Record<string, unknown>,
  send: (single: TestCloud) => Promise<unknown>,
): Promise<Outcome> {
  const single = await startTestCloud(t, { seed, config });
  await send(single);
  await untilIdle(single);
  const result = await outcome(async <T>(path: string) => (await (await single.api(path)).json()) as T);
  await single.close();
  return result;
}

/** The reference: one instance on its embedded stores, the same scenario, no failure. */
export async function referenceOutcome(t: Test): Promise<Outcome> {
  const reference = await singleInstanceOutcome(t, SEED, CONFIG, (single) => sendAll(single.mqttUrl));
  t.ok(
    reference.alerts.some((a) => a.startsWith('overload tx-a')),
    `reference has the overload: ${reference.alerts.join('; ')}`,
  );
  t.ok(
    reference.alerts.some((a) => a.startsWith('capacity_violation c-b')),
    'reference has the capacity violation',
  );
  t.ok(
    reference.alerts.some((a) => a.startsWith('comm_loss m-c2')),
    'reference has the comm loss',
  );
  t.equal(reference.cases.length, 1, 'reference has one case');
  return reference;
}

export interface Cluster {
  postgres: Postgres;
  influxd: Influxd;
  dir: string;
  instances: Instance[];
  /** HAProxy (TCP) in front of the instances' embedded brokers: the gateways' one address. */
  haproxy: Haproxy;
  /** Connections to the shared PostgreSQL database, for the checks (a pool: it outlives a restart). */
  db: pg.Pool;
  /** Which instance owns each partition, by the instances' /metrics. */
  owners(alive: readonly Instance[]): Promise<Map<number, string>>;
  /** Whether a message is in the ledger (batch) or the event log (event). */
  stored(message: OutboxMessage): Promise<boolean>;
}

/** PostgreSQL, InfluxDB, `count` instances in cluster mode (waited for until the partitions are shared out) and HAProxy. */
export async function startCluster(t: Test, count: number): Promise<Cluster> {
  const postgres = await startPostgres({ durableCommits: true });
  t.teardown(() => postgres.stop());
  const influxd = await startInfluxd();
  t.teardown(() => influxd.stop());
  const databaseUrl = await postgres.createDatabase('cluster');
  const dir = mkdtempSync(join(tmpdir(), 'gridsafe-cluster-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'seed.json'), JSON.stringify(SEED));
  writeFileSync(join(dir, 'cloud.json'), JSON.stringify({ ...CONFIG, cluster: { partitions: PARTITIONS } }));
  const env = (name: string, seeds: boolean): Record<string, string> => ({
    GRIDSAFE_CLUSTER: 'true',
    GRIDSAFE_CLUSTER_TAKEOVER_SECONDS: String(TAKEOVER_SECONDS),
    GRIDSAFE_DATABASE_URL: databaseUrl,
    GRIDSAFE_INFLUX_URL: influxd.url,
    GRIDSAFE_INFLUX_DATABASE: 'cluster',
    GRIDSAFE_DATA_DIR: join(dir, name),
    ...(seeds ? { GRIDSAFE_SEED_FILE: join(dir, 'seed.json') } : {}),
  });
  const args = ['--config', join(dir, 'cloud.json')];
  // The first applies migrations and the seed; the others join it.
  const first = await startInstance(t, 'cloud-1', env('cloud-1', true), args);
  const others = Array.from({ length: count - 1 }, (_, i) => `cloud-${i + 2}`);
  const instances = [first, ...(await Promise.all(others.map((n) => startInstance(t, n, env(n, false), args))))];
  const db = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  // A connection broken by a PostgreSQL restart is dropped by the pool; not an error of the test.
  db.on('error', () => undefined);
  t.teardown(() => db.end().catch(() => undefined));
  const owners = async (alive: readonly Instance[]) => {
    const owner = new Map<number, string>();
    for (const instance of alive)
      for (const [labels] of await instance.metric('gridsafe_cluster_partition_owned'))
        owner.set(Number(/partition="(\d+)"/.exec(labels)?.[1]), instance.name);
    return owner;
  };
  await waitFor(
    `every partition owned, shared by the ${count}`,
    async () => {
      const owner = await owners(instances);
      const counts = instances.map((i) => [...owner.values()].filter((n) => n === i.name).length);
      return owner.size === PARTITIONS && counts.every((c) => c > 0 && c <= Math.ceil(PARTITIONS / count));
    },
    60_000,
    250,
  );
  const stored = async (message: OutboxMessage) => {
    const [kind, key] = message.key.split(' ') as [string, string];
    const [gateway, seq] = key.split('/') as [string, string];
    const table = kind === 'batch' ? 'ingest_ledger' : 'gateway_events';
    // Asked again while PostgreSQL restarts: an answer is needed, not an error.
    const rows = await waitFor(
      `the ledger to answer about ${message.key}`,
      () => db.query(`SELECT 1 FROM ${table} WHERE gateway = $1 AND seq = $2`, [gateway, Number(seq)]),
      60_000,
    );
    return rows.rowCount === 1;
  };
  const haproxy = await startHaproxy(
    t,
    dir,
    instances.map((i) => i.mqttPort),
  );
  return { postgres, influxd, dir, instances, haproxy, db, owners, stored };
}

/**
 * Runs the scenario through HAProxy, checking at each PUBACK that the message is stored;
 * `atAck(n)` runs after the n-th acknowledgement (to break something mid-run). Asserts
 * that no PUBACK came for a message not stored and that every message was acknowledged.
 */
export async function sendThroughCluster(
  t: Test,
  cluster: Cluster,
  atAck: (acked: number) => Promise<void>,
): Promise<OutboxReport[]> {
  const ackedUnstored: string[] = [];
  let acked = 0;
  const reports = await sendAll(`mqtt://127.0.0.1:${cluster.haproxy.port}`, async (_gw, message) => {
    if (!(await cluster.stored(message))) ackedUnstored.push(message.key);
    await atAck(++acked);
  });
  t.same(ackedUnstored, [], 'every PUBACK came for a message already stored');
  t.equal(
    reports.reduce((n, r) => n + r.acked.length, 0),
    TOTAL_MESSAGES,
    'every message acknowledged in the end',
  );
  return reports;
}

/** Waits until detection has processed every stored batch and event. */
export async function untilDetected(db: pg.Pool): Promise<void> {
  await waitFor(
    'the backlog to be detected',
    async () => {
      const rows = await db.query<{ n: string }>(
        `SELECT (SELECT count(*) FROM ingest_ledger WHERE pending IS NOT NULL) +
                (SELECT count(*) FROM gateway_events WHERE detection_pending = 1) AS n`,
      );
      return Number(rows.rows[0]?.n) === 0;
    },
    120_000,
    250,
  );
}

/** Stored exactly once: every seq of every gateway in the ledger, both events, each reading once in InfluxDB. */
export async function checkStoredOnce(t: Test, cluster: Cluster): Promise<void> {
  const ledger = await cluster.db.query<{ gateway: string; seqs: string }>(
    `SELECT gateway, string_agg(seq::text, ',' ORDER BY seq) AS seqs FROM ingest_ledger GROUP BY gateway ORDER BY gateway`,
  );
  const allSeqs = Array.from({ length: BATCHES }, (_, i) => i + 1).join(',');
  t.same(
    ledger.rows,
    Object.keys(GATEWAYS).map((gateway) => ({ gateway, seqs: allSeqs })),
    'ledger: every batch of every gateway once',
  );
  const events = await cluster.db.query('SELECT gateway, seq FROM gateway_events ORDER BY seq');
  t.same(
    events.rows,
    [
      { gateway: 'gw-c', seq: 1 },
      { gateway: 'gw-c', seq: 2 },
    ],
    'both events stored once',
  );
  const series = await createInfluxSeriesStore(
    { url: cluster.influxd.url, bucket: 'cluster', database: 'cluster' },
    createLogger('cluster-test', { level: 'silent' }),
  );
  t.teardown(() => series.close());
  for (const device of ['m-a', 'm-b', 'm-c1', 'm-c2']) {
    const rows = await series.raw({ device, from: T0, to: T0 + MINUTES * MIN });
    t.equal(rows.length, expectedReadings(device), `${device}: every reading stored once`);
  }
}
