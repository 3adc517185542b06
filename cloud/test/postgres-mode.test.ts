/**
 * The whole cloud on PostgreSQL (GRIDSAFE_DATABASE_URL), a real server started here:
 * seed, ingest over MQTT, an overload alert raised by detection, the API over it.
 */
import t from 'tap';
import { topics } from '@gridsafe/shared';
import { startPostgres } from './support/postgres.js';
import { batch, connectGateway, reading, startTestCloud } from './support/cloud.js';

t.test('registry, ingest, detection and alerts with PostgreSQL as the relational store', async (t) => {
  const server = await startPostgres();
  t.teardown(() => server.stop());
  const url = await server.createDatabase('cloud');
  const cloud = await startTestCloud(t, {
    env: { GRIDSAFE_DATABASE_URL: url },
    config: { detectors: { overload: { holdSeconds: 10 } } },
  });
  t.equal(cloud.ctx.rdb.dialect, 'postgres');
  t.same(
    ((await (await cloud.api('/api/v1/transformers')).json()) as { items: Array<{ id: string }> }).items.map(
      (x) => x.id,
    ),
    ['tx-001'],
    'seed applied',
  );

  const client = await connectGateway(t, cloud.mqttUrl, 'gw-001', 'gw-001-demo-secret');
  const start = Date.now() - 120_000;
  for (let i = 0; i < 8; i++) {
    await client.publishAsync(
      topics.telemetry('gw-001'),
      JSON.stringify(batch('gw-001', i + 1, [reading('m-001', start + i * 5000, { s_kva: 160, p_kw: 150 })])),
      { qos: 1 },
    );
  }
  let alerts: { items: Array<{ id: string; type: string; subject: string }> } = { items: [] };
  for (let i = 0; i < 50 && alerts.items.length === 0; i++) {
    alerts = (await (await cloud.api('/api/v1/alerts?type=overload&state=open')).json()) as typeof alerts;
    if (alerts.items.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  t.equal(alerts.items.length, 1);
  t.equal(alerts.items[0]?.subject, 'tx-001');
  const ack = await cloud.api(`/api/v1/alerts/${alerts.items[0]?.id}/ack`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"note":"seen"}',
  });
  t.equal(ack.status, 200);
  const gateway = (await (await cloud.api('/api/v1/gateways/gw-001')).json()) as { hasSecret: boolean };
  t.equal(gateway.hasSecret, true);
  t.equal((await cloud.api('/readyz')).status, 200);
});
