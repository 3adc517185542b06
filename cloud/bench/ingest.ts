/**
 * bench:ingest — telemetry from simulated gateways through the embedded broker into
 * each series backend (embedded SQLite, and a real influxd started here), measured
 * against writing the same readings straight to the same backend, in the same run.
 *
 * Prints, per backend: sustained values per second end to end (publish → PUBACK,
 * which the cloud sends only once the batch is stored), latency p50 and p99, the
 * cloud's peak memory (VmHWM of the cloud process), the direct-write rate, and the
 * ratio. The last line is one JSON object (see issue 5).
 *
 * Options (environment): BENCH_GATEWAYS (20), BENCH_BATCHES (per gateway, 100),
 * BENCH_DEVICES (readings per batch, 100), BENCH_INFLIGHT (per gateway, 4),
 * BENCH_ROUNDS (3: each figure is the median of the rounds), BENCH_BACKENDS (embedded,influx), BENCH_CLOUD_NODE_ARGS (e.g. --cpu-prof for the cloud process).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { QUANTITY_NAMES, topics, type Quantity, type TelemetryBatch } from '@gridsafe/shared';
import Database from 'better-sqlite3';
import { InfluxSeriesStore } from '../src/storage/series/influx.js';
import { SERIES_PRAGMAS } from '../src/storage/series/sqlite-writer.js';
import { migrateSeriesFile } from '../src/storage/series/sqlite-migrations.js';
import { startInfluxd } from '../test/support/influxd.js';
import { freePort } from '@gridsafe/testkit';

const GATEWAYS = Number(process.env['BENCH_GATEWAYS'] ?? 20);
const BATCHES = Number(process.env['BENCH_BATCHES'] ?? 100);
const DEVICES = Number(process.env['BENCH_DEVICES'] ?? 100);
const INFLIGHT = Number(process.env['BENCH_INFLIGHT'] ?? 4);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const FIELDS: Quantity[] = [
  'v_a',
  'v_b',
  'v_c',
  'v_ab',
  'v_bc',
  'v_ca',
  'i_a',
  'i_b',
  'i_c',
  'i_n',
  'p_kw',
  'p_a_kw',
  'p_b_kw',
  'p_c_kw',
  'q_kvar',
  's_kva',
  'pf',
  'f_hz',
  'e_imp_kwh',
  'demand_kw',
];
const cli = fileURLToPath(new URL('../dist/src/cli.js', import.meta.url));
const out = (line: string) => process.stdout.write(`${line}\n`);

/** The batches of one run: the same for the full path and the direct write. */
function makeBatches(base: number): TelemetryBatch[][] {
  return Array.from({ length: GATEWAYS }, (_, g) =>
    Array.from({ length: BATCHES }, (_, b) => {
      const ts = base + b * 15_000;
      return {
        gateway: `bgw-${g}`,
        seq: b + 1,
        sentAt: ts,
        readings: Array.from({ length: DEVICES }, (_, d) => {
          const values: Partial<Record<Quantity, number>> = {};
          FIELDS.forEach((field, f) => (values[field] = Math.round((220 + f + d * 0.01 + b * 0.001) * 1000) / 1000));
          return { device: `bgw-${g}-d${d}`, ts, values, quality: 'good' as const };
        }),
      };
    }),
  );
}

const valuesIn = (batches: TelemetryBatch[][]) =>
  batches.flat().reduce((n, batch) => n + batch.readings.length * FIELDS.length, 0);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function startCloud(
  dir: string,
  env: Record<string, string>,
): Promise<{ child: ChildProcess; mqttUrl: string; batchesStored(): Promise<number>; stop(): Promise<void> }> {
  const seed = join(dir, 'seed.json');
  writeFileSync(
    seed,
    JSON.stringify({
      gateways: Array.from({ length: GATEWAYS }, (_, g) => ({ id: `bgw-${g}`, secret: `bench-secret-${g}` })),
      // Ingest stores readings only of devices registered to the gateway that sends them.
      devices: Array.from({ length: GATEWAYS * DEVICES }, (_, i) => ({
        id: `bgw-${Math.floor(i / DEVICES)}-d${i % DEVICES}`,
        gateway: `bgw-${Math.floor(i / DEVICES)}`,
        kind: 'meter',
        ctRatio: 1,
        ptRatio: 1,
        ctSecondaryA: 5,
      })),
    }),
  );
  const [httpPort, mqttPort] = [await freePort(), await freePort()];
  const nodeArgs = process.env['BENCH_CLOUD_NODE_ARGS']?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, cli], {
    env: {
      ...process.env,
      GRIDSAFE_DATA_DIR: join(dir, 'data'),
      GRIDSAFE_HTTP_HOST: '127.0.0.1',
      GRIDSAFE_HTTP_PORT: String(httpPort),
      GRIDSAFE_MQTT_HOST: '127.0.0.1',
      GRIDSAFE_MQTT_PORT: String(mqttPort),
      GRIDSAFE_SEED_FILE: seed,
      GRIDSAFE_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${httpPort}/readyz`)).ok) break;
    } catch {
      // starting
    }
    // Up to 2 minutes: seeding 2,000 devices took the cloud over 20 s on the shared 2-core machine.
    if (i > 1200 || child.exitCode !== null) throw new Error('the cloud did not start');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    child,
    mqttUrl: `mqtt://127.0.0.1:${mqttPort}`,
    /** Batches the cloud stored (a refused batch is acknowledged too, and must not count as throughput). */
    async batchesStored() {
      const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
      return Number(/^gridsafe_ingest_batches_total (\S+)$/m.exec(text)?.[1] ?? 0);
    },
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

/** The full path: every gateway publishes its batches (QoS 1, a few in flight), timing each until its PUBACK. */
async function fullPath(
  mqttUrl: string,
  batches: TelemetryBatch[][],
): Promise<{ seconds: number; latencies: number[] }> {
  const clients = await Promise.all(
    batches.map((_, g) =>
      mqtt.connectAsync(mqttUrl, {
        clientId: `bench-${g}`,
        username: `bgw-${g}`,
        password: `bench-secret-${g}`,
        reconnectPeriod: 0,
      }),
    ),
  );
  const payloads = batches.map((list) => list.map((batch) => JSON.stringify(batch)));
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    clients.map(async (client, g) => {
      let next = 0;
      const lane = async () => {
        while (next < BATCHES) {
          const payload = payloads[g]?.[next++] as string;
          const sent = performance.now();
          await client.publishAsync(topics.telemetry(`bgw-${g}`), payload, { qos: 1 });
          latencies.push(performance.now() - sent);
        }
      };
      await Promise.all(Array.from({ length: INFLIGHT }, lane));
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(clients.map((client) => client.endAsync()));
  return { seconds, latencies: latencies.sort((a, b) => a - b) };
}

/** The baseline: the same batches written straight to the backend, with the same concurrency. */
async function direct(write: (batch: TelemetryBatch) => Promise<void>, batches: TelemetryBatch[][]): Promise<number> {
  const started = performance.now();
  await Promise.all(
    batches.map(async (list) => {
      let next = 0;
      const lane = async () => {
        while (next < list.length) await write(list[next++] as TelemetryBatch);
      };
      await Promise.all(Array.from({ length: INFLIGHT }, lane));
    }),
  );
  return (performance.now() - started) / 1000;
}

/** Plain SQL: one transaction of prepared INSERTs per batch, same table shape and pragmas as the store. */
function sqlDirectWriter(path: string): (batch: TelemetryBatch) => Promise<void> {
  const db = new Database(path);
  for (const pragma of SERIES_PRAGMAS) db.pragma(pragma);
  migrateSeriesFile(db);
  const insert = db.prepare(
    `INSERT INTO readings (device, ts, gateway, quality, ${QUANTITY_NAMES.join(', ')}) VALUES (${['?', '?', '?', '?', ...QUANTITY_NAMES.map(() => '?')].join(', ')})`,
  );
  const write = db.transaction((batch: TelemetryBatch) => {
    for (const reading of batch.readings)
      insert.run(reading.device, reading.ts, batch.gateway, 0, ...QUANTITY_NAMES.map((q) => reading.values[q] ?? null));
  });
  return async (batch) => write(batch);
}

interface Result {
  valuesPerSecond: number;
  ratio: number;
  p50Ms: number;
  p99Ms: number;
  peakMemoryMb: number;
  directValuesPerSecond: number;
}

/**
 * One round: the direct write, then the full path through a fresh cloud, into fresh
 * databases — and for InfluxDB a fresh server, so one round's compactions do not land
 * in the next one's measurements.
 */
async function runRound(name: 'embedded' | 'influx', round: number): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), `gridsafe-bench-${name}-`));
  const influxd = name === 'influx' ? await startInfluxd() : null;
  try {
    const batches = makeBatches(Date.UTC(2026, 0, 1));
    const values = valuesIn(batches);

    // Direct write first, to a separate database of the same backend: each batch as it
    // comes, straight in — an HTTP POST of its line protocol (same concurrency as the
    // gateways), or one SQL transaction of prepared INSERTs with the store's pragmas.
    let directSeconds: number;
    if (influxd) {
      const database = `direct_${round}`;
      const setup = new InfluxSeriesStore({ url: influxd.url, bucket: database, database }, silentLog);
      await setup.init();
      directSeconds = await direct(async (batch) => {
        const response = await fetch(`${influxd.url}/write?db=${database}&precision=ms`, {
          method: 'POST',
          body: InfluxSeriesStore.toLines(batch),
        });
        if (response.status !== 204) throw new Error(`direct write: HTTP ${response.status} ${await response.text()}`);
      }, batches);
    } else {
      directSeconds = await direct(sqlDirectWriter(join(dir, 'direct.sqlite')), batches);
    }

    const database = `cloud_${round}`;
    const cloud = await startCloud(
      dir,
      influxd
        ? { GRIDSAFE_INFLUX_URL: influxd.url, GRIDSAFE_INFLUX_DATABASE: database, GRIDSAFE_INFLUX_BUCKET: database }
        : {},
    );
    const { seconds, latencies } = await fullPath(cloud.mqttUrl, batches);
    const stored = await cloud.batchesStored();
    if (stored !== GATEWAYS * BATCHES)
      throw new Error(`the cloud stored ${stored} of ${GATEWAYS * BATCHES} batches (see its log for refusals)`);
    const peakMemoryMb = peakRssMb(cloud.child.pid as number);
    await cloud.stop();

    const result: Result = {
      valuesPerSecond: Math.round(values / seconds),
      directValuesPerSecond: Math.round(values / directSeconds),
      ratio: Math.round((directSeconds / seconds) * 100) / 100,
      p50Ms: Math.round(percentile(latencies, 50) * 10) / 10,
      p99Ms: Math.round(percentile(latencies, 99) * 10) / 10,
      peakMemoryMb,
    };
    out(
      `${name.padEnd(8)} round ${round}: full path ${result.valuesPerSecond.toLocaleString('en')} values/s (${Math.round(result.valuesPerSecond / FIELDS.length).toLocaleString('en')} readings/s), ` +
        `latency p50 ${result.p50Ms} ms p99 ${result.p99Ms} ms, cloud peak memory ${peakMemoryMb} MB; ` +
        `direct ${result.directValuesPerSecond.toLocaleString('en')} values/s; ratio ${result.ratio}`,
    );
    return result;
  } finally {
    await influxd?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** ROUNDS rounds; each figure is the median over them (one run on a shared 2-core machine swings by a tenth). */
async function runBackend(name: 'embedded' | 'influx'): Promise<Result> {
  const rounds: Result[] = [];
  for (let round = 1; round <= ROUNDS; round++) rounds.push(await runRound(name, round));
  const median = (pick: (r: Result) => number) => {
    const sorted = rounds.map(pick).sort((x, y) => x - y);
    return sorted[Math.floor(sorted.length / 2)] as number;
  };
  const result: Result = {
    valuesPerSecond: median((r) => r.valuesPerSecond),
    directValuesPerSecond: median((r) => r.directValuesPerSecond),
    ratio: median((r) => r.ratio),
    p50Ms: median((r) => r.p50Ms),
    p99Ms: median((r) => r.p99Ms),
    peakMemoryMb: Math.max(...rounds.map((r) => r.peakMemoryMb)),
  };
  out(
    `${name.padEnd(8)} median of ${ROUNDS}: full path ${result.valuesPerSecond.toLocaleString('en')} values/s, latency p50 ${result.p50Ms} ms p99 ${result.p99Ms} ms, ` +
      `cloud peak memory ${result.peakMemoryMb} MB (highest); direct ${result.directValuesPerSecond.toLocaleString('en')} values/s; ratio ${result.ratio}`,
  );
  return result;
}

const { createLogger } = await import('@gridsafe/shared');
const silentLog = createLogger('bench', { level: 'silent' });

out(
  `bench:ingest — ${GATEWAYS} gateways × ${BATCHES} batches × ${DEVICES} readings × ${FIELDS.length} values, ${INFLIGHT} in flight per gateway, ${ROUNDS} rounds`,
);
const only = process.env['BENCH_BACKENDS'] ?? 'embedded,influx';
const skipped: Result = { valuesPerSecond: 0, ratio: 0, p50Ms: 0, p99Ms: 0, peakMemoryMb: 0, directValuesPerSecond: 0 };
const embedded = only.includes('embedded') ? await runBackend('embedded') : skipped;
const influx = only.includes('influx') ? await runBackend('influx') : skipped;
const pick = (r: Result) => ({
  valuesPerSecond: r.valuesPerSecond,
  ratio: r.ratio,
  p99Ms: r.p99Ms,
  p50Ms: r.p50Ms,
  peakMemoryMb: r.peakMemoryMb,
  directValuesPerSecond: r.directValuesPerSecond,
});
out(JSON.stringify({ bench: 'ingest', influx: pick(influx), embedded: pick(embedded) }));
