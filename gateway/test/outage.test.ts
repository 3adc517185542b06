/**
 * Broker outage with the gateway polling all along: batches taken during the outage wait
 * in the durable outbox and arrive after the broker is back, backlog oldest first, with
 * no seq missing and the readings continuous in event time.
 */
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startSimulator, demoScenario, type SimulatorHandle } from '@gridsafe/firmware-sim';
import { createLogger, decodeJsonTelemetry, type TelemetryBatch } from '@gridsafe/shared';
import { startBroker, type TestBroker } from './support/broker.js';
import { startGateway, type GatewayProcess } from './support/gateway-process.js';
import { waitFor } from '@gridsafe/testkit';

const dir = mkdtempSync(join(tmpdir(), 'gw-outage-'));
let sim: SimulatorHandle;
let gw: GatewayProcess | undefined;
const brokers: TestBroker[] = [];

t.teardown(async () => {
  await gw?.stop(5000);
  await sim?.stop();
  for (const b of brokers) await b.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

const batchesOf = (broker: TestBroker): TelemetryBatch[] =>
  broker.on('/telemetry').map((p) => {
    const d = decodeJsonTelemetry(p.payload, { expectedGateway: 'gw-out' });
    if (!d.ok) throw new Error(d.message);
    return d.value;
  });

t.test('nothing is lost over a broker outage; the backlog goes oldest first', async (t) => {
  sim = await startSimulator(demoScenario({ port: 0 }), { logger: createLogger('sim', { level: 'warn' }) });
  const first = await startBroker();
  brokers.push(first);
  const config = {
    gateway: { id: 'gw-out' },
    mqtt: { url: first.url, reconnectMin: '200ms', reconnectMax: '1s', inflight: 2 },
    dataDir: join(dir, 'data'),
    batch: { maxAge: '500ms' },
    buses: [{ id: 'tcp', kind: 'tcp', host: '127.0.0.1', port: sim.tcp[0]!.port }],
    devices: [
      { id: 'm-001', bus: 'tcp', unit: 1, profile: 'dtsu666', ctRatio: 60, pollInterval: '250ms' },
      { id: 't-001', bus: 'tcp', unit: 2, profile: 'gridsafe-rcm4', pollInterval: '250ms' },
    ],
  };
  writeFileSync(join(dir, 'gw.json'), JSON.stringify(config));
  gw = startGateway(['--config', join(dir, 'gw.json')], { GRIDSAFE_BROKER_URL: '', GRIDSAFE_DATA_DIR: '' });
  await waitFor('3 batches before the outage', () => first.on('/telemetry').length >= 3);

  const outageStart = Date.now();
  await first.close();
  await sleep(6000);
  const second = await startBroker(undefined, first.port);
  brokers.push(second);
  const outageEnd = Date.now();
  // Wait until the readings taken during the outage, and some after, have arrived.
  await waitFor(
    'the backlog and live data after it',
    () =>
      batchesOf(second).some((b) => b.readings.some((r) => r.ts > outageEnd + 1000)) && batchesOf(second).length > 8,
    30_000,
  );
  await sleep(1500);

  const all = [...batchesOf(first), ...batchesOf(second)];
  const seqs = [...new Set(all.map((b) => b.seq))].sort((a, b) => a - b);
  const max = seqs.at(-1)!;
  const missing = Array.from({ length: max }, (_, i) => i + 1).filter((s) => !seqs.includes(s));
  // The last batch or two may still be in flight when counted; everything before must be there.
  t.same(
    missing.filter((s) => s < max - 2),
    [],
    `no seq missing among 1..${max}`,
  );

  const during = batchesOf(second).filter(
    (b) => b.readings.every((r) => r.ts < outageEnd) && b.readings.some((r) => r.ts > outageStart),
  );
  t.ok(during.length >= 4, `${during.length} batches taken during the outage arrived afterwards`);
  const backlogOrder = during.map((b) => b.seq);
  t.same(
    backlogOrder,
    backlogOrder.slice().sort((a, b) => a - b),
    'backlog sent oldest first',
  );

  const meterTs = [
    ...new Set(all.flatMap((b) => b.readings.filter((r) => r.device === 'm-001').map((r) => r.ts))),
  ].sort((a, b) => a - b);
  const gaps = meterTs.slice(1).map((ts, i) => ts - meterTs[i]!);
  t.ok(Math.max(...gaps) < 1500, `m-001 readings continuous through the outage (largest gap ${Math.max(...gaps)} ms)`);
  const firstLiveAfter = batchesOf(second).findIndex((b) => b.readings.some((r) => r.ts > outageEnd + 500));
  const lastBacklog = batchesOf(second)
    .map((b, i) => (b.readings.every((r) => r.ts < outageEnd) ? i : -1))
    .reduce((a, b) => Math.max(a, b), -1);
  t.ok(firstLiveAfter >= 0, 'live data flows after reconnecting');
  t.comment(`live batch first seen at position ${firstLiveAfter}, last backlog batch at ${lastBacklog}`);

  const exit = await gw.stop();
  gw = undefined;
  t.equal(exit.code, 0);
});
