/**
 * The real gateway process with `mqtt.encoding: compact`: every batch goes out on the
 * compact telemetry topic (negotiated by topic suffix, CONTRACT.md), decodes with the
 * shared codec to the values the simulator served, and is smaller than its JSON.
 */
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, demoScenario } from '@gridsafe/firmware-sim';
import { createLogger, decodeCompactTelemetry, type TelemetryBatch } from '@gridsafe/shared';
import { startBroker } from './support/broker.js';
import { startGateway } from './support/gateway-process.js';
import { compareReading, readServed } from './support/served.js';
import { waitFor } from '@gridsafe/testkit';

const SECRET = 'compact-secret-1';

t.test(
  'encoding compact: batches on the compact topic carry exactly the served readings, in fewer bytes',
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-compact-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const broker = await startBroker({ username: 'gw-c', password: SECRET });
    t.teardown(() => broker.close());
    const sim = await startSimulator(demoScenario({ port: 0 }), {
      servedLogPath: join(dir, 'served.jsonl'),
      logger: createLogger('sim', { level: 'warn' }),
    });
    t.teardown(() => sim.stop());

    const config = join(dir, 'gateway.json');
    writeFileSync(
      config,
      JSON.stringify({
        gateway: { id: 'gw-c' },
        mqtt: { url: broker.url, password: SECRET, encoding: 'compact' },
        dataDir: join(dir, 'gw-data'),
        batch: { maxAge: '2s' },
        buses: [{ id: 'sim', kind: 'tcp', host: '127.0.0.1', port: sim.tcp[0]!.port }],
        devices: [
          { id: 'm-001', bus: 'sim', unit: 1, profile: 'dtsu666', ctRatio: 60, ptRatio: 1, pollInterval: '250ms' },
          { id: 't-001', bus: 'sim', unit: 2, profile: 'gridsafe-rcm4', pollInterval: '250ms' },
        ],
      }),
    );
    const gateway = startGateway(['--config', config], {});
    t.teardown(() => gateway.stop(5000));

    await waitFor('3 compact batches', () => broker.on('/telemetry/compact').length >= 3, 30_000);
    t.equal(broker.on('/telemetry').length, 0, 'nothing on the JSON telemetry topic');
    const published = broker.on('/telemetry/compact');
    t.ok(
      published.every((p) => p.qos === 1),
      'QoS 1',
    );
    const batches: TelemetryBatch[] = [];
    let compactBytes = 0;
    let jsonBytes = 0;
    for (const p of published) {
      const decoded = decodeCompactTelemetry(p.payload, { expectedGateway: 'gw-c' });
      if (!decoded.ok) {
        t.fail(`a compact batch does not decode: ${decoded.message}`);
        continue;
      }
      batches.push(decoded.value);
      compactBytes += p.payload.byteLength;
      jsonBytes += Buffer.byteLength(JSON.stringify(decoded.value));
    }
    t.same(
      batches.map((b) => b.seq),
      batches.map((_, i) => i + 1),
      'seq 1, 2, 3 ... as with JSON',
    );
    const readings = batches.flatMap((b) => b.readings);
    const served = readServed(join(dir, 'served.jsonl'));
    const problems = readings.flatMap((r) =>
      r.device === 'm-001'
        ? compareReading(r, served.get('m-001')!, 'dtsu666', { ctRatio: 60, ptRatio: 1 })
        : compareReading(r, served.get('t-001')!, 'gridsafe-rcm4', { ctRatio: 1, ptRatio: 1 }),
    );
    t.ok(readings.length >= 6, `${readings.length} readings decoded`);
    t.same(problems, [], 'every decoded value is the served one');
    t.ok(
      compactBytes * 2 < jsonBytes,
      `compact ${compactBytes} bytes against ${jsonBytes} bytes of JSON for the same batches`,
    );
  },
);
