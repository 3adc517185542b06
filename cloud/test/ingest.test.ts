/**
 * Ingest through the real embedded broker over real sockets with mqtt.js: good
 * batches stored and served, bad ones rejected whole and counted by reason while the
 * cloud keeps serving, redelivered (gateway, seq) stored once, compact encoding and its
 * corrupt, truncated and oversize payloads.
 */
import t from 'tap';
import { encodeCompactTelemetry, topics } from '@gridsafe/shared';
import { batch, connectGateway, metric, reading, startTestCloud } from './support/cloud.js';

const SECRET = 'gw-001-demo-secret';

t.test('good batch: acknowledged after storage and served by the series endpoint', async (t) => {
  const cloud = await startTestCloud(t);
  const client = await connectGateway(t, cloud.mqttUrl, 'gw-001', SECRET);
  const base = Date.now() - 60_000;
  const sent = batch('gw-001', 1, [
    reading('m-001', base, { p_kw: 12.31, i_a: 18.2, v_a: 229.8 }),
    reading('m-001', base + 15_000, { p_kw: 13.5, i_a: 19.1, v_a: 230.1 }),
  ]);
  // publishAsync resolves on PUBACK: by then the batch must already be in the store.
  await client.publishAsync(topics.telemetry('gw-001'), JSON.stringify(sent), { qos: 1 });
  const stored = await cloud.ctx.series.raw({ device: 'm-001', from: base, to: base + 60_000 });
  t.same(
    stored.map((r) => [r.ts, r.values]),
    [
      [base, { v_a: 229.8, i_a: 18.2, p_kw: 12.31 }],
      [base + 15_000, { v_a: 230.1, i_a: 19.1, p_kw: 13.5 }],
    ],
  );

  const response = await cloud.api(`/api/v1/devices/m-001/series?from=${base}&to=${base + 60_000}`);
  t.equal(response.status, 200);
  const body = (await response.json()) as { points: Array<{ ts: number; values: Record<string, number> }> };
  t.same(
    body.points.map((p) => p.values.p_kw),
    [12.31, 13.5],
  );

  const aggregated = (await (
    await cloud.api(`/api/v1/devices/m-001/series?from=${base}&to=${base + 60_000}&every=1h&fields=p_kw&agg=max`)
  ).json()) as {
    points: Array<{ values: Record<string, number> }>;
  };
  t.equal(aggregated.points.length <= 2, true, 'one or two hourly buckets');
  t.equal(Math.max(...aggregated.points.map((p) => p.values.p_kw ?? 0)), 13.5);
  t.equal(await metric(cloud, 'gridsafe_ingest_batches_total'), 1);
  t.equal(await metric(cloud, 'gridsafe_ingest_values_total'), 6);
  const exposition = await (await cloud.api('/metrics')).text();
  t.match(exposition, /^process_resident_memory_bytes \d+/m, 'process metrics are exported');
  t.match(exposition, /^nodejs_eventloop_lag_seconds [\d.]+/m, 'event-loop lag is exported');
});

t.test('bad batches are rejected whole, counted by reason, and the cloud keeps serving', async (t) => {
  const cloud = await startTestCloud(t);
  const client = await connectGateway(t, cloud.mqttUrl, 'gw-001', SECRET);
  const now = Date.now();
  const topic = topics.telemetry('gw-001');
  const cases: Array<[string, string]> = [
    ['not_json', '{"gateway": "gw-001", "seq": 1,'],
    [
      'schema',
      JSON.stringify({
        gateway: 'gw-001',
        seq: 2,
        sentAt: now,
        readings: [{ device: 'm-001', ts: now, values: { p_kw: 1 } }],
      }),
    ],
    [
      'non_finite',
      `{"gateway":"gw-001","seq":3,"sentAt":${now},"readings":[{"device":"m-001","ts":${now},"values":{"p_kw":NaN},"quality":"good"}]}`,
    ],
    [
      'future_timestamp',
      JSON.stringify(
        batch('gw-001', 4, [reading('m-001', now - 1000, { p_kw: 1 }), reading('m-001', now + 3_600_000, { p_kw: 2 })]),
      ),
    ],
    ['unknown_quantity', JSON.stringify(batch('gw-001', 5, [reading('m-001', now, { p_kw: 1, watts: 3 })]))],
    ['gateway_mismatch', JSON.stringify(batch('gw-002', 6, [reading('m-001', now, { p_kw: 1 })]))],
  ];
  for (const [reason, payload] of cases) {
    await client.publishAsync(topic, payload, { qos: 1 });
    t.equal(await metric(cloud, 'gridsafe_ingest_rejected_total', `reason="${reason}"`), 1, `counted as ${reason}`);
  }
  // Nothing of the rejected batches was stored (the future one had a valid first reading).
  t.same(await cloud.ctx.series.raw({ device: 'm-001', from: 0, to: now + 7_200_000 }), []);
  t.equal(await metric(cloud, 'gridsafe_ingest_batches_total'), 0);
  // The same connection still works, and so does HTTP.
  await client.publishAsync(topic, JSON.stringify(batch('gw-001', 7, [reading('m-001', now, { p_kw: 5 })])), {
    qos: 1,
  });
  t.equal((await cloud.ctx.series.raw({ device: 'm-001', from: now, to: now + 1 })).length, 1);
  t.equal((await cloud.api('/healthz')).status, 200);
  const rejections = (await (await cloud.api('/api/v1/ingest/rejections')).json()) as {
    items: Array<{ reason: string; message: string }>;
  };
  t.same(
    rejections.items.map((r) => r.reason),
    cases.map(([reason]) => reason),
  );
  t.match(rejections.items[3]?.message, /readings\/1\/ts .* in the future/);
});

t.test('a redelivered (gateway, seq) is acknowledged and stored once', async (t) => {
  const cloud = await startTestCloud(t);
  const client = await connectGateway(t, cloud.mqttUrl, 'gw-001', SECRET);
  const ts = Date.now() - 10_000;
  const first = batch('gw-001', 42, [reading('m-001', ts, { p_kw: 10 })]);
  await client.publishAsync(topics.telemetry('gw-001'), JSON.stringify(first), { qos: 1 });
  // Same seq again, even with different content: the ledger says it is known, so it is ignored.
  const again = batch('gw-001', 42, [reading('m-001', ts, { p_kw: 99 }), reading('m-001', ts + 1000, { p_kw: 98 })]);
  await client.publishAsync(topics.telemetry('gw-001'), JSON.stringify(again), { qos: 1, dup: true });
  await client.publishAsync(topics.telemetry('gw-001'), JSON.stringify(first), { qos: 1 });
  const stored = await cloud.ctx.series.raw({ device: 'm-001', from: ts - 1, to: ts + 10_000 });
  t.same(
    stored.map((r) => r.values.p_kw),
    [10],
  );
  t.equal(await metric(cloud, 'gridsafe_ingest_batches_total'), 1);
  t.equal(await metric(cloud, 'gridsafe_ingest_duplicates_total'), 2);
  t.same(await cloud.ctx.ledger.recorded('gw-001'), [42], 'one ledger entry');
});

t.test('compact encoding on the /compact topic is stored like JSON', async (t) => {
  const cloud = await startTestCloud(t);
  const client = await connectGateway(t, cloud.mqttUrl, 'gw-001', SECRET);
  const ts = Date.now() - 5000;
  const sent = batch('gw-001', 9, [reading('m-001', ts, { p_kw: 12.5, v_a: 231.2, i_a: 18.25 })]);
  await client.publishAsync(topics.compactTelemetry('gw-001'), encodeCompactTelemetry(sent), { qos: 1 });
  const stored = await cloud.ctx.series.raw({ device: 'm-001', from: ts, to: ts + 1 });
  t.same(stored[0]?.values, { v_a: 231.2, i_a: 18.25, p_kw: 12.5 });
  // Corrupt compact payload: rejected with a reason, nothing stored.
  await client.publishAsync(topics.compactTelemetry('gw-001'), Buffer.from([1, 2, 3, 4, 5]), { qos: 1 });
  t.equal(await metric(cloud, 'gridsafe_ingest_batches_total'), 1);
  t.equal((await cloud.ctx.series.raw({ device: 'm-001', from: 0, to: Date.now() })).length, 1);
});

t.test(
  'uplink garbage: corrupt and truncated compact payloads, a replayed old seq, an oversize batch; each counted, nothing else disturbed',
  async (t) => {
    const cloud = await startTestCloud(t);
    const client = await connectGateway(t, cloud.mqttUrl, 'gw-001', SECRET);
    const ts = Date.now() - 60_000;
    const good = (seq: number, p: number) => batch('gw-001', seq, [reading('m-001', ts + seq * 1000, { p_kw: p })]);
    await client.publishAsync(topics.compactTelemetry('gw-001'), encodeCompactTelemetry(good(10, 1)), { qos: 1 });
    await client.publishAsync(topics.telemetry('gw-001'), JSON.stringify(good(11, 2)), { qos: 1 });

    const valid = encodeCompactTelemetry(good(12, 3));
    const flipped = Buffer.from(valid);
    flipped[flipped.length >> 1]! ^= 0xff;
    // A JSON batch just over the 256 KiB payload limit (MAX_BATCH_BYTES), otherwise well formed.
    const padding = Array.from({ length: 3000 }, (_, i) =>
      reading('m-001', ts + i, { p_kw: 1, q_kvar: 2, v_a: 230, v_b: 230, v_c: 230, i_a: 10, i_b: 10, i_c: 10 }),
    );
    const oversize = JSON.stringify(batch('gw-001', 13, padding));
    t.ok(Buffer.byteLength(oversize) > 256 * 1024, `oversize batch is ${Buffer.byteLength(oversize)} bytes`);
    await client.publishAsync(topics.compactTelemetry('gw-001'), valid.subarray(0, valid.length - 7), { qos: 1 });
    await client.publishAsync(topics.compactTelemetry('gw-001'), flipped, { qos: 1 });
    await client.publishAsync(topics.telemetry('gw-001'), oversize, { qos: 1 });
    await client.publishAsync(topics.telemetry('gw-001'), JSON.stringify(good(10, 99)), { qos: 1 }); // replay of an old seq

    t.equal(
      await metric(cloud, 'gridsafe_ingest_rejected_total', 'reason="too_large"'),
      1,
      'oversize batch counted as too_large',
    );
    const encodingRejects =
      (await metric(cloud, 'gridsafe_ingest_rejected_total', 'reason="bad_encoding"')) +
      (await metric(cloud, 'gridsafe_ingest_rejected_total', 'reason="schema"'));
    t.equal(encodingRejects, 2, 'truncated and corrupted compact payloads counted');
    t.equal(await metric(cloud, 'gridsafe_ingest_duplicates_total'), 1, 'the replayed seq counted as a duplicate');
    const rejections = (await (await cloud.api('/api/v1/ingest/rejections')).json()) as {
      items: Array<{ reason: string; message: string }>;
    };
    t.match(rejections.items[0]?.message, /deflate|truncat|end/i, 'the truncated payload is named as such');

    // Nothing else disturbed: the good batches are stored once with their first values, and a new one still lands.
    await client.publishAsync(topics.compactTelemetry('gw-001'), encodeCompactTelemetry(good(14, 4)), { qos: 1 });
    const stored = await cloud.ctx.series.raw({ device: 'm-001', from: ts, to: ts + 60_000 });
    t.same(
      stored.map((r) => r.values.p_kw),
      [1, 2, 4],
    );
    t.same(await cloud.ctx.ledger.recorded('gw-001'), [10, 11, 14]);
  },
);

t.test('status and events are recorded; a repeated event seq is ignored', async (t) => {
  const cloud = await startTestCloud(t);
  const client = await connectGateway(t, cloud.mqttUrl, 'gw-001', SECRET);
  await client.publishAsync(
    topics.status('gw-001'),
    JSON.stringify({ state: 'online', since: Date.now(), version: '0.1.0', health: { outboxDepth: 3 } }),
    { qos: 1, retain: true },
  );
  const event = {
    gateway: 'gw-001',
    seq: 1,
    ts: Date.now(),
    device: 'm-001',
    type: 'comm_lost',
    detail: { error: 'timeout' },
  };
  await client.publishAsync(topics.events('gw-001'), JSON.stringify(event), { qos: 1 });
  await client.publishAsync(topics.events('gw-001'), JSON.stringify(event), { qos: 1 });
  const gateway = (await (await cloud.api('/api/v1/gateways/gw-001')).json()) as {
    status: { state: string; health: { outboxDepth: number } };
  };
  t.equal(gateway.status.state, 'online');
  t.equal(gateway.status.health.outboxDepth, 3);
  const events = await cloud.ctx.rdb.db.selectFrom('gateway_events').selectAll().execute();
  t.equal(events.length, 1);
  t.equal(events[0]?.type, 'comm_lost');
});

t.test('overload: readings above the rating for longer than holdSeconds raise one alert', async (t) => {
  const cloud = await startTestCloud(t, { config: { detectors: { overload: { holdSeconds: 10 } } } });
  const client = await connectGateway(t, cloud.mqttUrl, 'gw-001', SECRET);
  const start = Date.now() - 120_000;
  for (let i = 0; i < 8; i++) {
    const ts = start + i * 5000;
    await client.publishAsync(
      topics.telemetry('gw-001'),
      JSON.stringify(batch('gw-001', 100 + i, [reading('m-001', ts, { s_kva: 150, p_kw: 140 })])),
      { qos: 1 },
    );
  }
  let alerts: { items: Array<{ type: string; subject: string; state: string }> } = { items: [] };
  for (let attempt = 0; attempt < 50 && alerts.items.length === 0; attempt++) {
    alerts = (await (await cloud.api('/api/v1/alerts?type=overload')).json()) as typeof alerts;
    if (alerts.items.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  t.equal(alerts.items.length, 1, 'one overload alert');
  t.equal(alerts.items[0]?.subject, 'tx-001');
  t.equal(alerts.items[0]?.state, 'open');
});

t.test(
  'storage locked: the PUBACK waits, the cloud keeps serving, the batch lands once the lock is gone',
  async (t) => {
    const cloud = await startTestCloud(t);
    const client = await connectGateway(t, cloud.mqttUrl, 'gw-001', SECRET);
    const { default: Database } = await import('better-sqlite3');
    const { join } = await import('node:path');
    // Another process-like writer holds the series file's write lock.
    const locker = new Database(join(cloud.config.dataDir, 'series.sqlite'));
    locker.exec('BEGIN IMMEDIATE');
    const ts = Date.now() - 1000;
    let acked = false;
    const publishing = client
      .publishAsync(
        topics.telemetry('gw-001'),
        JSON.stringify(batch('gw-001', 1, [reading('m-001', ts, { p_kw: 7 })])),
        { qos: 1 },
      )
      .then(() => (acked = true));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    t.equal(acked, false, 'no PUBACK while the batch cannot be stored');
    t.equal((await cloud.api('/healthz')).status, 200, 'HTTP still answers');
    t.ok((await metric(cloud, 'gridsafe_store_errors_total')) >= 1, 'failed attempts are counted');
    locker.exec('ROLLBACK');
    locker.close();
    await publishing;
    t.equal(acked, true, 'acknowledged once stored');
    t.same(
      (await cloud.ctx.series.raw({ device: 'm-001', from: ts, to: ts + 1 })).map((r) => r.values.p_kw),
      [7],
    );
  },
);

t.test(
  "a gateway cannot write another gateway's meter nor an unregistered device: the whole batch is refused with its own reason",
  async (t) => {
    const cloud = await startTestCloud(t);
    const client = await connectGateway(t, cloud.mqttUrl, 'gw-001', SECRET);
    const ts = Date.now() - 30_000;
    const topic = topics.telemetry('gw-001');
    // m-002 is gw-002's meter; gw-001 is logged in correctly and publishes on its own topic.
    await client.publishAsync(topic, JSON.stringify(batch('gw-001', 1, [reading('m-002', ts, { s_kva: 999 })])), {
      qos: 1,
    });
    // One foreign reading among its own refuses the whole batch (never half-stored).
    await client.publishAsync(
      topic,
      JSON.stringify(batch('gw-001', 2, [reading('m-001', ts, { p_kw: 1 }), reading('m-002', ts + 1, { s_kva: 5 })])),
      { qos: 1 },
    );
    await client.publishAsync(topic, JSON.stringify(batch('gw-001', 3, [reading('m-404', ts, { p_kw: 1 })])), {
      qos: 1,
    });
    t.equal(await metric(cloud, 'gridsafe_ingest_rejected_total', 'reason="foreign_device"'), 2, 'counted');
    t.equal(await metric(cloud, 'gridsafe_ingest_rejected_total', 'reason="unknown_device"'), 1, 'counted');
    t.same(await cloud.ctx.series.raw({ device: 'm-002', from: 0, to: Date.now() }), [], "nothing in gw-002's meter");
    t.same(await cloud.ctx.series.raw({ device: 'm-001', from: 0, to: Date.now() }), [], 'nor half a batch');
    t.same(await cloud.ctx.series.raw({ device: 'm-404', from: 0, to: Date.now() }), []);
    t.same(await cloud.ctx.ledger.recorded('gw-001'), [], 'no refused batch is in the ledger');
    const rejections = (await (await cloud.api('/api/v1/ingest/rejections')).json()) as {
      items: Array<{ gateway: string; reason: string; message: string }>;
    };
    t.match(rejections.items, [
      {
        gateway: 'gw-001',
        reason: 'foreign_device',
        message: /readings\/0\/device "m-002" is registered to gateway "gw-002"/,
      },
      { gateway: 'gw-001', reason: 'foreign_device', message: /readings\/1\/device "m-002"/ },
      { gateway: 'gw-001', reason: 'unknown_device', message: /readings\/0\/device "m-404" is not registered/ },
    ]);

    // A device registered behind this instance's back (another instance, same database) is found, not refused.
    await cloud.ctx.rdb.db
      .insertInto('devices')
      .values({
        id: 'm-003',
        gateway: 'gw-001',
        kind: 'meter',
        transformer: null,
        customer: null,
        ct_ratio: 1,
        pt_ratio: 1,
        ct_secondary_a: 5,
        updated_at: Date.now(),
      })
      .execute();
    await client.publishAsync(topic, JSON.stringify(batch('gw-001', 4, [reading('m-003', ts, { p_kw: 3 })])), {
      qos: 1,
    });
    t.same(
      (await cloud.ctx.series.raw({ device: 'm-003', from: 0, to: Date.now() })).map((r) => r.values.p_kw),
      [3],
    );
  },
);
