/**
 * External-broker mode: two cloud instances subscribe to one Debian mosquitto with a
 * shared subscription; gateways publish through mosquitto; every batch is stored
 * exactly once, and the two instances split the work between them.
 */
import t from 'tap';
import mqtt from 'mqtt';
import { topics } from '@gridsafe/shared';
import { startMosquitto } from './support/mosquitto.js';
import { batch, reading, startTestCloud, type TestCloud } from './support/cloud.js';

t.test('two instances, one broker: each batch stored once', async (t) => {
  const broker = await startMosquitto();
  t.teardown(() => broker.stop());
  const env = (id: string) => ({ GRIDSAFE_BROKER_URL: broker.url, GRIDSAFE_INSTANCE_ID: id });
  const gateways = ['gw-001', 'gw-002', 'gw-003', 'gw-004'];
  // Each gateway's device registered to it: ingest stores only readings of a gateway's own devices.
  const seed = {
    gateways: gateways.map((id) => ({ id })),
    devices: gateways.map((gw) => ({
      id: `d-${gw}`,
      gateway: gw,
      kind: 'meter',
      ctRatio: 1,
      ptRatio: 1,
      ctSecondaryA: 5,
    })),
  };
  const a = await startTestCloud(t, { env: env('cloud-a'), seed });
  const b = await startTestCloud(t, { env: env('cloud-b'), seed });
  t.equal(a.broker, null, 'no embedded broker in external mode');
  t.equal((await a.api('/readyz')).status, 200, 'ready when connected to the broker');

  const perGateway = 50;
  const base = Date.now() - 3_600_000;
  const publishers = await Promise.all(
    gateways.map((gw) => mqtt.connectAsync(broker.url, { clientId: `pub-${gw}`, reconnectPeriod: 0 })),
  );
  t.teardown(() => Promise.all(publishers.map((client) => client.endAsync(true))));
  await Promise.all(
    publishers.map(async (client, g) => {
      const gw = gateways[g] as string;
      for (let seq = 1; seq <= perGateway; seq++) {
        const sent = batch(gw, seq, [reading(`d-${gw}`, base + seq * 1000, { p_kw: seq, i_a: g })]);
        await client.publishAsync(topics.telemetry(gw), JSON.stringify(sent), { qos: 1 });
      }
    }),
  );
  const total = gateways.length * perGateway;
  const keys = async (cloud: TestCloud) =>
    (
      await Promise.all(gateways.map(async (gw) => (await cloud.ctx.ledger.recorded(gw)).map((seq) => `${gw}/${seq}`)))
    ).flat();
  let ka: string[] = [];
  let kb: string[] = [];
  for (let i = 0; i < 100; i++) {
    [ka, kb] = [await keys(a), await keys(b)];
    if (ka.length + kb.length >= total) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  t.equal(ka.length + kb.length, total, 'every batch stored');
  t.equal(new Set([...ka, ...kb]).size, total, 'none stored twice');
  t.ok(ka.length > 0 && kb.length > 0, `both instances took a share (${ka.length} and ${kb.length})`);
  // The readings themselves: each device's 50 readings exist once across the two stores.
  for (const gw of gateways) {
    const rows = [
      ...(await a.ctx.series.raw({ device: `d-${gw}`, from: base, to: base + 3_600_000 })),
      ...(await b.ctx.series.raw({ device: `d-${gw}`, from: base, to: base + 3_600_000 })),
    ];
    t.same(
      rows.map((r) => r.values.p_kw).sort((x, y) => (x ?? 0) - (y ?? 0)),
      Array.from({ length: perGateway }, (_, i) => i + 1),
      `${gw}: every reading once`,
    );
  }
});

t.test(
  "external broker: the cloud refuses a batch with another gateway's meter (the broker's ACL is only a second fence)",
  async (t) => {
    const broker = await startMosquitto();
    t.teardown(() => broker.stop());
    const cloud = await startTestCloud(t, {
      env: { GRIDSAFE_BROKER_URL: broker.url, GRIDSAFE_INSTANCE_ID: 'cloud-own' },
    });
    // This mosquitto lets anyone publish anywhere: only the cloud's own check stands.
    const publisher = await mqtt.connectAsync(broker.url, { clientId: 'pub-gw-001', reconnectPeriod: 0 });
    t.teardown(() => publisher.endAsync(true));
    const ts = Date.now() - 10_000;
    await publisher.publishAsync(
      topics.telemetry('gw-001'),
      JSON.stringify(batch('gw-001', 1, [reading('m-002', ts, { s_kva: 999 })])),
      { qos: 1 },
    );
    await publisher.publishAsync(
      topics.telemetry('gw-001'),
      JSON.stringify(batch('gw-001', 2, [reading('m-001', ts, { p_kw: 2 })])),
      { qos: 1 },
    );
    let stored: number[] = [];
    for (let i = 0; i < 100 && stored.length === 0; i++) {
      stored = await cloud.ctx.ledger.recorded('gw-001');
      if (stored.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    t.same(stored, [2], 'its own meter is stored, the foreign batch is not');
    t.same(await cloud.ctx.series.raw({ device: 'm-002', from: 0, to: Date.now() }), []);
    const rejections = (await (await cloud.api('/api/v1/ingest/rejections')).json()) as {
      items: Array<{ reason: string; message: string }>;
    };
    t.match(rejections.items, [{ reason: 'foreign_device', message: /"m-002" is registered to gateway "gw-002"/ }]);
  },
);
