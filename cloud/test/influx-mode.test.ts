/**
 * The cloud with InfluxDB as its series store (a real influxd 1.6 started here):
 * ingest over MQTT, the series endpoint, redelivery stored once, /metrics, and
 * /readyz turning 503 when InfluxDB goes away, and InfluxDB killed under ingest: the
 * PUBACK waits and everything lands once, once the server is back.
 */
import t from 'tap';
import { topics } from '@gridsafe/shared';
import { startInfluxd } from './support/influxd.js';
import { batch, connectGateway, metric, reading, startTestCloud } from './support/cloud.js';

t.test('ingest into InfluxDB through the embedded broker', async (t) => {
  const influxd = await startInfluxd();
  t.teardown(() => influxd.stop());
  const cloud = await startTestCloud(t, {
    env: { GRIDSAFE_INFLUX_URL: influxd.url, GRIDSAFE_INFLUX_DATABASE: 'gridsafe_test' },
  });
  t.equal(cloud.ctx.series.kind, 'influx');
  const ready = await cloud.api('/readyz');
  t.equal(ready.status, 200);
  t.match(await ready.json(), { status: 'ready', checks: { series: true, relational: true, mqtt: true } });

  const client = await connectGateway(t, cloud.mqttUrl, 'gw-001', 'gw-001-demo-secret');
  const base = Date.now() - 120_000;
  const sent = batch('gw-001', 1, [
    reading('m-001', base, { p_kw: 11.5, v_a: 230.25 }),
    reading('m-001', base + 60_000, { p_kw: 12.75, v_a: 229.5 }),
  ]);
  await client.publishAsync(topics.telemetry('gw-001'), JSON.stringify(sent), { qos: 1 });
  await client.publishAsync(
    topics.telemetry('gw-001'),
    JSON.stringify({ ...sent, readings: [reading('m-001', base, { p_kw: 99 })] }),
    { qos: 1 },
  );
  const body = (await (
    await cloud.api(`/api/v1/devices/m-001/series?from=${base}&to=${base + 120_000}&fields=p_kw,v_a`)
  ).json()) as { points: Array<{ ts: number; values: Record<string, number> }> };
  t.same(
    body.points.map((p) => [p.ts, p.values]),
    [
      [base, { p_kw: 11.5, v_a: 230.25 }],
      [base + 60_000, { p_kw: 12.75, v_a: 229.5 }],
    ],
  );
  t.same(await cloud.ctx.ledger.recorded('gw-001'), [1]);
  t.equal(await metric(cloud, 'gridsafe_ingest_duplicates_total'), 1);

  const metrics = await (await cloud.api('/metrics')).text();
  for (const name of [
    'gridsafe_ingest_values_total 4',
    'gridsafe_ingest_rejected_total{reason="not_json"} 0',
    'gridsafe_ingest_queue_depth',
    'gridsafe_detection_queue_depth',
    'gridsafe_store_latency_seconds_count 1',
  ]) {
    t.match(metrics, name);
  }

  await influxd.stop();
  const down = await cloud.api('/readyz');
  t.equal(down.status, 503);
  t.match(down.headers.get('content-type'), /problem\+json/);
  t.match(await down.json(), { detail: 'not ready: series', checks: { series: false } });
  t.equal((await cloud.api('/healthz')).status, 200, 'alive, though not ready');
});

t.test(
  'InfluxDB killed under ingest: no PUBACK while it is down, every batch stored once when it is back',
  async (t) => {
    const influxd = await startInfluxd();
    t.teardown(() => influxd.stop());
    const cloud = await startTestCloud(t, {
      env: { GRIDSAFE_INFLUX_URL: influxd.url, GRIDSAFE_INFLUX_DATABASE: 'gridsafe_down' },
    });
    const client = await connectGateway(t, cloud.mqttUrl, 'gw-001', 'gw-001-demo-secret');
    const base = Date.now() - 600_000;
    const sent = Array.from({ length: 5 }, (_, i) =>
      batch('gw-001', i + 1, [reading('m-001', base + i * 60_000, { p_kw: 10 + i })]),
    );
    await client.publishAsync(topics.telemetry('gw-001'), JSON.stringify(sent[0]), { qos: 1 });

    await influxd.kill();
    let acked = 0;
    const publishing = Promise.all(
      sent
        .slice(1)
        .map((b) => client.publishAsync(topics.telemetry('gw-001'), JSON.stringify(b), { qos: 1 }).then(() => acked++)),
    );
    await new Promise((resolve) => setTimeout(resolve, 2000));
    t.equal(acked, 0, 'no PUBACK while InfluxDB is down');
    t.equal((await cloud.api('/healthz')).status, 200, 'the cloud keeps serving');
    t.ok((await metric(cloud, 'gridsafe_store_errors_total')) >= 1, 'failed attempts are counted');
    const series = await cloud.api(`/api/v1/devices/m-001/series?from=${base}&to=${base + 300_000}`);
    t.equal(series.status, 503, 'a series read answers 503 while InfluxDB is down');
    t.match(series.headers.get('content-type'), /problem\+json/);
    t.match(await series.json(), { type: 'urn:gridsafe:problem:store_unavailable' });
    t.ok(Number(series.headers.get('retry-after')) > 0, 'with Retry-After');

    await influxd.restart();
    await publishing;
    t.equal(acked, 4, 'every held batch acknowledged once stored');
    t.same(await cloud.ctx.ledger.recorded('gw-001'), [1, 2, 3, 4, 5], 'each (gateway, seq) recorded once');
    const body = (await (
      await cloud.api(`/api/v1/devices/m-001/series?from=${base}&to=${base + 300_000}&fields=p_kw`)
    ).json()) as { points: Array<{ ts: number; values: Record<string, number> }> };
    t.same(
      body.points.map((p) => [p.ts, p.values.p_kw]),
      sent.map((_batch, i) => [base + i * 60_000, 10 + i]),
      'every reading, once, in order',
    );
  },
);
