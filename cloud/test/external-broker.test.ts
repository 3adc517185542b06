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
  const a = await startTestCloud(t, { env: env('cloud-a') });
  const b = await startTestCloud(t, { env: env('cloud-b') });
  t.equal(a.broker, null, 'no embedded broker in external mode');
  t.equal((await a.api('/readyz')).status, 200, 'ready when connected to the broker');

  const gateways = ['gw-001', 'gw-002', 'gw-003', 'gw-004'];
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
