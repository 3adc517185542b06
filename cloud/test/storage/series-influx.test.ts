/**
 * The series contract on InfluxDB: a real influxd (Debian's 1.6) started by this test
 * on a free port with a temporary folder; a fresh database per subtest. 1.6 has no v2
 * write API, so this run also proves the /ping detection picks the v1 /write endpoint.
 */
import t from 'tap';
import { createLogger } from '@gridsafe/shared';
import { InfluxSeriesStore, versionSupportsV2Write } from '../../src/storage/series/influx.js';
import { startInfluxd } from '../support/influxd.js';
import { seriesContract } from './series-contract.js';

const influxd = await startInfluxd();
t.teardown(() => influxd.stop());
const log = createLogger('influx-test', { level: 'silent' });
let n = 0;

t.test('version detection', async (t) => {
  t.equal(versionSupportsV2Write('1.6.7~rc0'), false);
  t.equal(versionSupportsV2Write('1.8.10'), true);
  t.equal(versionSupportsV2Write('v2.7.4'), true);
  t.equal(versionSupportsV2Write('3.0.1'), true);
  const store = new InfluxSeriesStore({ url: influxd.url, bucket: 'probe', database: 'probe' }, log);
  await store.init();
  t.match(store.serverVersion, /^1\.6/);
  t.equal(store.writeEndpoint, 'v1');
  await store.close();
});

seriesContract(t, async () => {
  const database = `contract_${++n}`;
  const store = new InfluxSeriesStore({ url: influxd.url, bucket: database, database }, log);
  await store.init();
  return store;
});

t.test('a stopped server fails the write with a clear error (ingest then holds the PUBACK and retries)', async (t) => {
  const dead = new InfluxSeriesStore({ url: 'http://127.0.0.1:1', bucket: 'x', database: 'x' }, log);
  await t.rejects(
    dead.writeBatch({
      gateway: 'gw',
      seq: 1,
      sentAt: 0,
      readings: [{ device: 'm', ts: 1, values: { p_kw: 1 }, quality: 'good' }],
    }),
    /InfluxDB write failed/,
  );
  t.equal(await dead.ping(), false);
});

t.test('many concurrent batches, gzip on: every write resolves only once its lines are stored', async (t) => {
  const store = new InfluxSeriesStore({ url: influxd.url, bucket: 'gzipped', database: 'gzipped', gzip: true }, log);
  await store.init();
  t.teardown(() => store.close());
  // More batches than requests in flight, each well over the gzip threshold.
  const batches = Array.from({ length: 24 }, (_, b) => ({
    gateway: 'gw',
    seq: b + 1,
    sentAt: 0,
    readings: Array.from({ length: 50 }, (_, r) => ({
      device: `m-${r % 5}`,
      ts: 1_000 + b * 100 + r,
      values: { p_kw: b + r / 100, v_a: 230 },
      quality: 'good' as const,
    })),
  }));
  await Promise.all(batches.map((batch) => store.writeBatch(batch)));
  for (let d = 0; d < 5; d++) {
    const stored = await store.raw({ device: `m-${d}`, from: 0, to: 10_000 });
    const expected = batches
      .flatMap((batch) => batch.readings.filter((r) => r.device === `m-${d}`))
      .map((r) => ({ ts: r.ts, p_kw: r.values.p_kw }));
    t.same(
      stored.map((r) => ({ ts: r.ts, p_kw: r.values.p_kw })),
      expected,
      `device m-${d}: every reading, in time order`,
    );
  }
});
