/**
 * The cloud outlives its PostgreSQL: under a steady stream of telemetry and gateway
 * events, the server is stopped (fast shutdown: sessions end with 57P01), started again,
 * then its postmaster is SIGKILLed and started again. Meanwhile the cloud stays up,
 * /readyz names the relational store, API calls answer 503 problem+json, the broker holds
 * what it cannot store (events need PostgreSQL), and afterwards everything resumes by
 * itself: every batch and every event stored exactly once.
 */
import t from 'tap';
import { topics } from '@gridsafe/shared';
import { startPostgres } from './support/postgres.js';
import { batch, connectGateway, reading, startTestCloud, type TestCloud } from './support/cloud.js';
import { workflowStartOptions } from '../src/workflow-plugin/start.js';
import { parseWorkflowSettings } from '../src/workflow-plugin/settings.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`);
    await sleep(100);
  }
}

const readiness = async (cloud: TestCloud) => {
  const response = await cloud.api('/readyz');
  return { status: response.status, body: (await response.json()) as { checks?: Record<string, boolean> } };
};

t.test('PostgreSQL stopped, killed and restarted under ingest: the cloud stays up and loses nothing', async (t) => {
  // Durable commits: what PostgreSQL acknowledged survives the SIGKILL (as in production).
  const server = await startPostgres({ durableCommits: true });
  t.teardown(() => server.stop());
  const url = await server.createDatabase('cloud');
  const cloud = await startTestCloud(t, { env: { GRIDSAFE_DATABASE_URL: url } });
  const client = await connectGateway(t, cloud.mqttUrl, 'gw-001', 'gw-001-demo-secret', { reconnectPeriod: 500 });

  // The gateway publishes a batch and an event every 50 ms, each waiting for its PUBACK, as its outbox does.
  const base = Date.now() - 3_600_000;
  let sent = 0;
  let publishing = true;
  const publisher = (async () => {
    while (publishing) {
      const seq = ++sent;
      await client.publishAsync(
        topics.telemetry('gw-001'),
        JSON.stringify(batch('gw-001', seq, [reading('m-001', base + seq * 1000, { p_kw: seq })])),
        { qos: 1 },
      );
      await client.publishAsync(
        topics.events('gw-001'),
        JSON.stringify({ gateway: 'gw-001', seq, ts: base + seq * 1000, device: 'm-001', type: 'comm_lost' }),
        { qos: 1 },
      );
      await sleep(50);
    }
  })();

  for (const [how, stopServer] of [
    ['fast shutdown', () => server.shutdown()],
    ['SIGKILL of the postmaster', () => server.kill()],
  ] as const) {
    await until('some traffic first', async () => sent >= 5);
    await stopServer();
    await until(
      `/readyz says the relational store is down (${how})`,
      async () => (await readiness(cloud)).status === 503,
    );
    const down = await readiness(cloud);
    t.same(
      down.body.checks,
      { accepting: true, series: true, relational: false, mqtt: true },
      `${how}: /readyz names it`,
    );
    t.equal((await cloud.api('/healthz')).status, 200, `${how}: the cloud is up`);
    const refused = await cloud.api('/api/v1/transformers');
    t.equal(refused.status, 503, `${how}: an API call answers 503`);
    t.match(refused.headers.get('content-type'), /problem\+json/);
    t.match(await refused.json(), { type: 'urn:gridsafe:problem:store_unavailable', status: 503 });
    const heldAt = sent;
    await sleep(1500);
    t.ok(sent <= heldAt + 1, `${how}: the broker holds the PUBACK of what needs the database (${heldAt} -> ${sent})`);
    // Down for a while ("minutes later" in production; seconds here).
    await sleep(2000);
    await server.start();
    await until(`/readyz back after ${how}`, async () => (await readiness(cloud)).status === 200);
    t.equal((await cloud.api('/api/v1/transformers')).status, 200, `${how}: the API answers again`);
    const resumedAt = sent;
    await until(`ingest resumes after ${how}`, async () => sent > resumedAt + 5);
  }
  publishing = false;
  await publisher;

  const seqs = Array.from({ length: sent }, (_, i) => i + 1);
  t.same(await cloud.ctx.ledger.recorded('gw-001'), seqs, `all ${sent} batches in the ledger, once each`);
  t.same(
    (await cloud.ctx.series.raw({ device: 'm-001', from: base, to: base + (sent + 1) * 1000 })).map(
      (r) => r.values.p_kw,
    ),
    seqs,
    'every reading stored once',
  );
  const events = await cloud.ctx.rdb.db
    .selectFrom('gateway_events')
    .select('seq')
    .where('gateway', '=', 'gw-001')
    .orderBy('seq')
    .execute();
  t.same(
    events.map((e) => e.seq),
    seqs,
    'every event stored once',
  );
});

t.test(
  'the whole cloud as the CLI starts it (with the workflow) outlives a PostgreSQL shutdown and a kill',
  async (t) => {
    const server = await startPostgres({ durableCommits: true });
    t.teardown(() => server.stop());
    const url = await server.createDatabase('cloud');
    const cloud = await startTestCloud(t, {
      env: { GRIDSAFE_DATABASE_URL: url },
      start: (config) => workflowStartOptions(config, parseWorkflowSettings(config.workflow), () => undefined),
    });
    for (const [how, stopServer] of [
      ['fast shutdown', () => server.shutdown()],
      ['SIGKILL of the postmaster', () => server.kill()],
    ] as const) {
      await stopServer();
      // Long enough for the workflow's background jobs (notifications, escalation) to meet the outage.
      await sleep(5000);
      t.equal((await cloud.api('/healthz')).status, 200, `${how}: the cloud is up`);
      t.equal((await readiness(cloud)).status, 503, `${how}: not ready`);
      t.equal((await cloud.api('/api/v1/workorders')).status, 503, `${how}: a workflow route answers 503`);
      await server.start();
      await until(`/readyz back after ${how}`, async () => (await readiness(cloud)).status === 200);
      t.equal((await cloud.api('/api/v1/workorders')).status, 200, `${how}: and answers again`);
    }
  },
);
