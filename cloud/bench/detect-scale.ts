/**
 * bench:detect's scale figures (issue 13): ingest values per CPU-second of the cloud
 * processes with 1 and with 3 instances in cluster mode on the same shared stores (a
 * PostgreSQL and an influxd started here, a fresh database for each run). Each run: the
 * instances as the CLI starts them, gateways spread over them (each publishing to one
 * instance's embedded broker, QoS 1, a few batches in flight, as HAProxy would spread
 * them) at a steady pace, timed from the first publish until every batch is acknowledged
 * and detection (partitioned between the instances) has processed all of them; CPU =
 * user + system time of the cloud processes over that window (/proc).
 *
 * The ratio (the target, ≥ 0.8) is per-instance efficiency: values per CPU-second of three
 * instances sharing the gateways one instance carries, against that one instance. Each of
 * the three is a third as loaded, so besides what being one of several costs (leases, the
 * shared backlog, batches detected by an instance other than the one that stored them,
 * live events read from the others) it carries the cost of a lighter load: fewer messages
 * share each wake-up, request and commit (BENCHMARKS.md, scale section). A third run is
 * printed beside it, not in the ratio: three instances each carrying as many gateways as
 * the one, which has the first cost without the second.
 *
 * Options (environment): BENCH_SCALE_GATEWAYS (6), BENCH_SCALE_RATE (batches
 * a second per gateway, 5; 0: each as soon as the one before is acknowledged),
 * BENCH_SCALE_BATCHES (per gateway, 40), BENCH_SCALE_DEVICES (readings per batch, 50),
 * BENCH_SCALE_INFLIGHT (4), BENCH_SCALE_WARMUP (batches per gateway published and detected
 * before the timed ones, 0: the figures then include each instance's warm-up).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import pg from 'pg';
import { topics, type TelemetryBatch } from '@gridsafe/shared';
import { freePort, waitFor, waitForOk } from '@gridsafe/testkit';
import { startInfluxd } from '../test/support/influxd.js';
import { startPostgres } from '../test/support/postgres.js';

export interface ScaleFigures {
  instances1: number | null;
  instances3: number | null;
  ratio: number | null;
  /** Why the figures are null, when they are. */
  missing?: string;
}

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const GATEWAYS = env('BENCH_SCALE_GATEWAYS', 6);
const RATE = env('BENCH_SCALE_RATE', 5);
const BATCHES = env('BENCH_SCALE_BATCHES', 40);
const DEVICES = env('BENCH_SCALE_DEVICES', 50);
const INFLIGHT = env('BENCH_SCALE_INFLIGHT', 4);
const WARMUP = env('BENCH_SCALE_WARMUP', 0);
const TARGET_RATIO = 0.8;
const cli = fileURLToPath(new URL('../dist/src/cli.js', import.meta.url));
/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const USER_HZ = 100;
const out = (line: string) => process.stdout.write(`${line}\n`);

const gatewayId = (g: number) => `sgw-${g}`;
const deviceId = (g: number, d: number) => `sm-${g}-${d}`;

/**
 * A site per gateway in normal operation: 50 meters of 20-50 kW on a 2,500 kVA transformer
 * (about 75 % loaded), 100/5 A CTs (secondaries 1.5-3.6 A of 5 A), so detection does
 * what it does for most of a fleet, most of the time: every rule runs, few alerts change.
 */
function seed(gateways: number) {
  return {
    transformers: Array.from({ length: gateways }, (_, g) => ({ id: `stx-${g}`, site: `site ${g}`, ratedKva: 2500 })),
    gateways: Array.from({ length: gateways }, (_, g) => ({
      id: gatewayId(g),
      secret: `${gatewayId(g)}-bench-secret`,
    })),
    devices: Array.from({ length: gateways }, (_, g) =>
      Array.from({ length: DEVICES }, (_, d) => ({
        id: deviceId(g, d),
        gateway: gatewayId(g),
        kind: 'meter',
        transformer: `stx-${g}`,
        ctRatio: 20,
        ptRatio: 1,
        ctSecondaryA: 5,
      })),
    ).flat(),
  };
}

/** One gateway's batches: a reading of every device a minute, ten values each. */
function batchesOf(g: number, base: number, first: number, count: number): TelemetryBatch[] {
  return Array.from({ length: count }, (_, i) => first + i).map((b) => ({
    gateway: gatewayId(g),
    seq: b + 1,
    sentAt: Date.now(),
    readings: Array.from({ length: DEVICES }, (_, d) => {
      const kw = 20 + ((d * 7 + b) % 30);
      return {
        device: deviceId(g, d),
        ts: base + b * 60_000,
        quality: 'good' as const,
        values: {
          v_a: 230 + (d % 5),
          v_b: 231,
          v_c: 229,
          i_a: kw / 0.69,
          i_b: kw / 0.7,
          i_c: kw / 0.71,
          p_kw: kw,
          q_kvar: kw * 0.3,
          s_kva: kw * 1.05,
          pf: 0.95,
        },
      };
    }),
  }));
}

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  // After the command name: utime and stime are fields 14 and 15 of the line (11 and 12 here).
  return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
}

async function startInstance(
  name: string,
  envVars: Record<string, string>,
): Promise<{ child: ChildProcess; mqttPort: number }> {
  const [httpPort, mqttPort] = [await freePort(), await freePort()];
  let output = '';
  const child = spawn(process.execPath, [cli], {
    env: {
      ...process.env,
      ...envVars,
      GRIDSAFE_INSTANCE_ID: name,
      GRIDSAFE_HTTP_HOST: '127.0.0.1',
      GRIDSAFE_HTTP_PORT: String(httpPort),
      GRIDSAFE_MQTT_HOST: '127.0.0.1',
      GRIDSAFE_MQTT_PORT: String(mqttPort),
      GRIDSAFE_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  await waitForOk(`${name} to be ready`, `http://127.0.0.1:${httpPort}/readyz`, 120_000).catch((error: Error) => {
    child.kill('SIGKILL');
    throw new Error(`${error.message}\n${output}`);
  });
  return { child, mqttPort };
}

/**
 * Publishes every gateway's batches, RATE a second each (the gateways' turns spread over
 * the period) with at most INFLIGHT unacknowledged, and waits until detection has
 * processed them all.
 */
async function publishAndDetect(clients: mqtt.MqttClient[], work: TelemetryBatch[][], db: pg.Client): Promise<void> {
  const started = performance.now();
  await Promise.all(
    clients.map(async (client, g) => {
      const batches = work[g] as TelemetryBatch[];
      let next = 0;
      await Promise.all(
        Array.from({ length: INFLIGHT }, async () => {
          while (next < batches.length) {
            const index = next++;
            const batch = batches[index] as TelemetryBatch;
            if (RATE > 0) {
              const due = started + ((index + g / clients.length) * 1000) / RATE;
              const wait = due - performance.now();
              if (wait > 0) await sleep(wait);
            }
            await client.publishAsync(topics.telemetry(batch.gateway), JSON.stringify(batch), { qos: 1 });
          }
        }),
      );
    }),
  );
  await waitFor(
    'detection to process every batch',
    async () => {
      const rows = await db.query<{ n: string }>('SELECT count(*) AS n FROM ingest_ledger WHERE pending IS NOT NULL');
      return Number(rows.rows[0]?.n) === 0;
    },
    600_000,
    100,
  );
}

/** One run with `count` instances and `gateways` gateways on fresh databases: values stored per CPU-second of the cloud processes. */
async function run(
  count: number,
  gateways: number,
  stores: { databaseUrl: string; influxUrl: string; influxDatabase: string },
  dir: string,
): Promise<number> {
  writeFileSync(join(dir, 'seed.json'), JSON.stringify(seed(gateways)));
  const shared = {
    GRIDSAFE_CLUSTER: 'true',
    // Short lease rounds so the partitions are shared out soon after the instances start.
    GRIDSAFE_CLUSTER_TAKEOVER_SECONDS: '2',
    GRIDSAFE_DATABASE_URL: stores.databaseUrl,
    GRIDSAFE_INFLUX_URL: stores.influxUrl,
    GRIDSAFE_INFLUX_DATABASE: stores.influxDatabase,
  };
  const instances: Array<{ child: ChildProcess; mqttPort: number }> = [];
  try {
    instances.push(
      await startInstance(`scale-${count}-1`, {
        ...shared,
        GRIDSAFE_DATA_DIR: join(dir, 'i1'),
        GRIDSAFE_SEED_FILE: join(dir, 'seed.json'),
      }),
    );
    for (let i = 2; i <= count; i++)
      instances.push(await startInstance(`scale-${count}-${i}`, { ...shared, GRIDSAFE_DATA_DIR: join(dir, `i${i}`) }));
    const db = new pg.Client({ connectionString: stores.databaseUrl });
    await db.connect();
    // Every partition owned before the clock starts (a joining instance takes its share within two rounds).
    await waitFor(
      'the partitions to be shared',
      async () => {
        const rows = await db.query<{ n: string }>(
          "SELECT count(DISTINCT application_name) AS n FROM pg_stat_activity WHERE application_name LIKE 'gridsafe-lease:%'",
        );
        return Number(rows.rows[0]?.n) === count;
      },
      60_000,
      200,
    );
    await sleep(2 * 2000 + 1000);
    const base = Date.now() - 2 * 86_400_000;
    const work = Array.from({ length: gateways }, (_, g) => batchesOf(g, base, WARMUP, BATCHES));
    const warm = Array.from({ length: gateways }, (_, g) => batchesOf(g, base, 0, WARMUP));
    const clients = await Promise.all(
      Array.from({ length: gateways }, (_, g) =>
        mqtt.connectAsync(`mqtt://127.0.0.1:${instances[g % count]!.mqttPort}`, {
          clientId: `${gatewayId(g)}-bench`,
          username: gatewayId(g),
          password: `${gatewayId(g)}-bench-secret`,
          reconnectPeriod: 0,
        }),
      ),
    );
    // Warm-up batches (not timed): each instance's JIT and caches warm, to tell start-up cost from steady-state cost.
    if (WARMUP > 0) await publishAndDetect(clients, warm, db);
    const pids = instances.map((i) => i.child.pid as number);
    const cpuBefore = pids.map((pid) => cpuSeconds(pid));
    const started = performance.now();
    await publishAndDetect(clients, work, db);
    const seconds = (performance.now() - started) / 1000;
    const perInstance = pids.map((pid, i) => cpuSeconds(pid) - (cpuBefore[i] as number));
    const cpu = perInstance.reduce((sum, seconds) => sum + seconds, 0);
    const stored = await db.query<{ n: string }>('SELECT count(*) AS n FROM ingest_ledger');
    if (Number(stored.rows[0]?.n) !== gateways * (WARMUP + BATCHES))
      throw new Error(
        `${count} instance(s): ${stored.rows[0]?.n} batches stored, ${gateways * (WARMUP + BATCHES)} sent`,
      );
    await Promise.all(clients.map((client) => client.endAsync(true)));
    await db.end();
    const values = gateways * BATCHES * DEVICES * 10;
    out(
      `scale: ${count} instance(s), ${gateways} gateways: ${values} values in ${seconds.toFixed(1)} s wall, ${cpu.toFixed(1)} CPU-s of the cloud processes: ${Math.round(values / cpu)} values per CPU-second (per instance: ${perInstance.map((seconds) => seconds.toFixed(2)).join(' + ')} CPU-s)`,
    );
    return values / cpu;
  } finally {
    for (const instance of instances) instance.child.kill('SIGTERM');
    await Promise.all(
      instances.map(
        (instance) =>
          new Promise((resolve) =>
            instance.child.exitCode === null ? instance.child.on('exit', resolve) : resolve(null),
          ),
      ),
    );
  }
}

export async function measureScale(): Promise<ScaleFigures> {
  const postgres = await startPostgres();
  const influxd = await startInfluxd();
  const dir = mkdtempSync(join(tmpdir(), 'gridsafe-bench-scale-'));
  try {
    out(
      `scale: ${GATEWAYS} gateways, ${RATE > 0 ? `${RATE} batches/s each` : 'as fast as acknowledged'}, ${BATCHES} batches x ${DEVICES} readings x 10 values per gateway, cluster mode on PostgreSQL + InfluxDB`,
    );
    let runs = 0;
    const rate = async (count: number, gateways: number) => {
      const name = `scale${++runs}`;
      const stores = {
        databaseUrl: await postgres.createDatabase(name),
        influxUrl: influxd.url,
        influxDatabase: name,
      };
      return run(count, gateways, stores, mkdtempSync(join(dir, `${name}-`)));
    };
    const instances1 = await rate(1, GATEWAYS);
    const instances3 = await rate(3, GATEWAYS);
    const ratio = instances3 / instances1;
    out(
      `scale: per-instance efficiency of 3 against 1, sharing the same ${GATEWAYS} gateways: ${ratio.toFixed(2)} (target ≥ ${TARGET_RATIO}: ${ratio >= TARGET_RATIO ? 'met' : 'MISSED'})`,
    );
    // Beside the ratio: three instances each as loaded as the one.
    const eachAsLoaded = await rate(3, 3 * GATEWAYS);
    out(
      `scale: three instances each carrying ${GATEWAYS} gateways: ${(eachAsLoaded / instances1).toFixed(2)} of one (the cost of being several without that of a lighter load)`,
    );
    return {
      instances1: Math.round(instances1),
      instances3: Math.round(instances3),
      ratio: Number(ratio.toFixed(3)),
    };
  } finally {
    await influxd.stop();
    await postgres.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
