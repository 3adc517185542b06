/**
 * InfluxDB series backend, for every InfluxDB version (DESIGN.md "InfluxDB, every version"):
 *
 * - reads: InfluxQL through the v1 `/query` endpoint, which 1.x, 2.x (v1 compatibility,
 *   with a DBRP mapping) and 3.x all serve;
 * - writes: line protocol through the v2 write API (`/api/v2/write`) where the server
 *   has it (1.8+, 2.x, 3.x) and the v1 `/write` endpoint where it does not, chosen from
 *   the version `/ping` reports.
 *
 * Layout: measurement `readings`, tag `device`, one float field per canonical quantity,
 * plus string fields `quality` and `gateway`, millisecond timestamps. A point is keyed
 * by (device, time), so writing a batch again merges into the same points: idempotent.
 *
 * HTTP goes through @influxdata/influxdb-client's transport (auth, gzip, timeouts) and
 * its line-protocol escaping and retry rules. Its WriteApi is not used for the writes
 * themselves: its flush() can resolve before lines queued by a concurrent caller are
 * written, and ingest must know that *its* batch is durable before the PUBACK. Instead
 * concurrent batches are group-committed: whatever is queued while the requests in flight
 * are busy goes in the next request, and every caller waits for the request holding its
 * lines. A few requests run at once, because the server parses and indexes one request
 * on one core: a single request at a time left influxd's other cores idle.
 */
import { InfluxDB, HttpError, canRetryHttpCall, escape, type Transport } from '@influxdata/influxdb-client';
import { QUANTITY_NAMES, type Logger, type Quantity, type ReadingQuality, type TelemetryBatch } from '@gridsafe/shared';
import type { InfluxConfig } from '../../config/types.js';
import { GroupCommit } from '../group-commit.js';
import { demandOf, type DemandQuery } from './demand.js';
import {
  type AggregatePoint,
  type AggregateQuery,
  type DemandPoint,
  type LatestValue,
  type RangeQuery,
  type SeriesStore,
  type StoredReading,
} from './types.js';

const MEASUREMENT = 'readings';
const INFLUX_AGGREGATE = { mean: 'mean', max: 'max', min: 'min', last: 'last' } as const;
/** Largest request body; bigger groups are split (InfluxDB's default limit is 25 MB). */
const MAX_REQUEST_BYTES = 8 * 1024 * 1024;
const WRITE_ATTEMPTS = 5;
/** Write requests in flight at once; more than the server's cores buys nothing. */
const MAX_REQUESTS_IN_FLIGHT = 4;

interface QueryResponse {
  results?: Array<{
    statement_id: number;
    error?: string;
    series?: Array<{ name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }>;
  }>;
  error?: string;
}

/** An InfluxQL string literal: single-quoted, with backslash and quote escaped. */
export function influxString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** An InfluxQL identifier; quantity names are a fixed list, quoted anyway. */
const ident = (name: string) => `"${name.replace(/"/g, '\\"')}"`;

export function versionSupportsV2Write(version: string): boolean {
  const match = /^v?(\d+)\.(\d+)/.exec(version.trim());
  if (!match) return true; // 2.x/3.x builds sometimes report names like "OSS" or "3.0.0-..."; v2 is the modern default
  const major = Number(match[1]);
  const minor = Number(match[2]);
  return major > 1 || (major === 1 && minor >= 8);
}

export class InfluxSeriesStore implements SeriesStore {
  readonly kind = 'influx' as const;
  private readonly transport: Transport;
  private version = 'unknown';
  private useV2Write = true;
  /** Concurrent batches share requests; every caller waits for the request holding its lines. */
  private readonly writer = new GroupCommit<string, void>(
    async (chunks) => {
      await this.send(chunks.join(''));
      return chunks.map(() => undefined);
    },
    {
      maxGroup: Number.POSITIVE_INFINITY,
      maxInFlight: MAX_REQUESTS_IN_FLIGHT,
      sizeOf: (lines) => lines.length,
      maxSize: MAX_REQUEST_BYTES,
    },
  );

  constructor(
    private readonly config: InfluxConfig,
    private readonly log: Logger,
  ) {
    this.transport = new InfluxDB({
      url: config.url,
      ...(config.token ? { token: config.token } : {}),
      timeout: 30_000,
    }).transport;
  }

  /** The server's version as /ping reported it. */
  get serverVersion(): string {
    return this.version;
  }

  get writeEndpoint(): 'v2' | 'v1' {
    return this.useV2Write ? 'v2' : 'v1';
  }

  private authHeaders(): Record<string, string> {
    if (this.config.token) return {};
    if (this.config.username) {
      return {
        authorization: `Basic ${Buffer.from(`${this.config.username}:${this.config.password ?? ''}`).toString('base64')}`,
      };
    }
    return {};
  }

  async init(): Promise<void> {
    let version = '';
    await this.transport.request('/ping', '', { method: 'GET', headers: this.authHeaders() }, (headers) => {
      const header = headers['x-influxdb-version'];
      version = Array.isArray(header) ? (header[0] ?? '') : (header ?? '');
    });
    this.version = version || 'unknown';
    this.useV2Write = versionSupportsV2Write(this.version);
    if (/^v?1\./.test(this.version)) {
      // 1.x: make sure the database exists (idempotent). 2.x/3.x: the bucket and its DBRP
      // mapping are created by the operator (docker-compose's setup does it).
      await this.query(`CREATE DATABASE ${ident(this.config.database)}`, 'POST');
    }
    this.log.info(
      { url: this.config.url, version: this.version, write: this.writeEndpoint, database: this.config.database },
      'InfluxDB series store ready',
    );
  }

  // ---- writes ----

  /** Line protocol of one batch (exported for the benchmark's direct-write baseline). */
  static toLines(batch: TelemetryBatch): string {
    let out = '';
    const gateway = `"${batch.gateway.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
    for (const reading of batch.readings) {
      let fields = `quality="${reading.quality}",gateway=${gateway}`;
      for (const name in reading.values) {
        const value = reading.values[name as Quantity];
        if (value !== undefined) fields += `,${name}=${value}`;
      }
      out += `${MEASUREMENT},device=${escape.tag(reading.device)} ${fields} ${reading.ts}\n`;
    }
    return out;
  }

  writeBatch(batch: TelemetryBatch): Promise<void> {
    return this.writeLines(InfluxSeriesStore.toLines(batch));
  }

  /** Queues line protocol and resolves once a request holding it has been accepted (HTTP 204). */
  writeLines(lines: string): Promise<void> {
    if (lines.length === 0) return Promise.resolve();
    return this.writer.submit(lines);
  }

  private writePath(): string {
    const rp = this.config.retentionPolicy;
    if (this.useV2Write) {
      // On 1.8+ the v2 endpoint takes "database/retention-policy" as the bucket.
      const bucket = /^v?1\./.test(this.version) ? `${this.config.database}${rp ? `/${rp}` : ''}` : this.config.bucket;
      const org = this.config.org ? `&org=${encodeURIComponent(this.config.org)}` : '';
      return `/api/v2/write?bucket=${encodeURIComponent(bucket)}${org}&precision=ms`;
    }
    return `/write?db=${encodeURIComponent(this.config.database)}${rp ? `&rp=${encodeURIComponent(rp)}` : ''}&precision=ms`;
  }

  private async send(body: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.transport.request(this.writePath(), body, {
          method: 'POST',
          headers: { 'content-type': 'text/plain; charset=utf-8', ...this.authHeaders() },
          // Off by default: compressing megabytes of line protocol took CPU from influxd on the same machine (BENCHMARKS.md).
          gzipThreshold: this.config.gzip ? 1024 : Number.POSITIVE_INFINITY,
        });
        return;
      } catch (error) {
        // 4xx (bad line, unknown bucket, auth) will not get better by retrying.
        if (attempt >= WRITE_ATTEMPTS || !canRetryHttpCall(error)) throw describe(error, 'write');
        const wait = Math.min(2000, 100 * 2 ** (attempt - 1));
        this.log.warn({ attempt, retryInMs: wait, err: error }, 'InfluxDB write failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  // ---- reads ----

  private async query(q: string, method: 'GET' | 'POST' = 'GET'): Promise<NonNullable<QueryResponse['results']>> {
    const params = new URLSearchParams({ db: this.config.database, q, epoch: 'ms' });
    if (this.config.retentionPolicy) params.set('rp', this.config.retentionPolicy);
    let response: QueryResponse;
    try {
      response = (await this.transport.request(
        method === 'GET' ? `/query?${params}` : '/query',
        method === 'GET' ? '' : params.toString(),
        {
          method,
          headers: {
            accept: 'application/json',
            ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
            ...this.authHeaders(),
          },
        },
      )) as QueryResponse;
    } catch (error) {
      throw describe(error, 'query');
    }
    if (response.error) throw new Error(`InfluxDB query failed: ${response.error}`);
    const results = response.results ?? [];
    const failed = results.find((result) => result.error);
    if (failed) throw new Error(`InfluxDB query failed: ${failed.error}`);
    return results;
  }

  private rangeWhere(device: string, from: number, to: number): string {
    return `${ident('device')} = ${influxString(device)} AND time >= ${Math.floor(from)}ms AND time < ${Math.floor(to)}ms`;
  }

  async raw(query: RangeQuery): Promise<StoredReading[]> {
    const fields = query.fields ?? QUANTITY_NAMES;
    const limit = query.limit !== undefined ? ` LIMIT ${Math.max(1, Math.floor(query.limit))}` : '';
    const [result] = await this.query(
      `SELECT ${['quality', ...fields].map(ident).join(', ')} FROM ${MEASUREMENT} WHERE ${this.rangeWhere(query.device, query.from, query.to)} ORDER BY time ASC${limit}`,
    );
    const series = result?.series?.[0];
    if (!series) return [];
    const index = new Map(series.columns.map((column, i) => [column, i]));
    return series.values.flatMap((row) => {
      const values: Partial<Record<Quantity, number>> = {};
      for (const field of fields) {
        const value = row[index.get(field) as number];
        if (typeof value === 'number') values[field] = value;
      }
      // A point that only had other fields (not asked for) is not a reading of these fields.
      if (query.fields && Object.keys(values).length === 0) return [];
      const quality = row[index.get('quality') as number];
      return [
        {
          device: query.device,
          ts: row[0] as number,
          quality: (typeof quality === 'string' ? quality : 'good') as ReadingQuality,
          values,
        },
      ];
    });
  }

  async aggregate(query: AggregateQuery): Promise<AggregatePoint[]> {
    const fields = query.fields ?? QUANTITY_NAMES;
    const every = Math.max(1, Math.floor(query.everyMs));
    const fn = INFLUX_AGGREGATE[query.aggregate];
    const limit = query.limit !== undefined ? ` LIMIT ${Math.max(1, Math.floor(query.limit))}` : '';
    const [result] = await this.query(
      `SELECT ${fields.map((field) => `${fn}(${ident(field)}) AS ${ident(field)}`).join(', ')} FROM ${MEASUREMENT} WHERE ${this.rangeWhere(query.device, query.from, query.to)} GROUP BY time(${every}ms) fill(none)${limit}`,
    );
    const series = result?.series?.[0];
    if (!series) return [];
    const index = new Map(series.columns.map((column, i) => [column, i]));
    const points: AggregatePoint[] = [];
    for (const row of series.values) {
      const values: Partial<Record<Quantity, number>> = {};
      for (const field of fields) {
        const value = row[index.get(field) as number];
        if (typeof value === 'number') values[field] = value;
      }
      if (Object.keys(values).length > 0) points.push({ ts: row[0] as number, values });
    }
    return points;
  }

  async latest(devices: string[], fields?: Quantity[]): Promise<Map<string, Partial<Record<Quantity, LatestValue>>>> {
    const result = new Map<string, Partial<Record<Quantity, LatestValue>>>(devices.map((device) => [device, {}]));
    if (devices.length === 0) return result;
    const wanted = fields ?? QUANTITY_NAMES;
    const where = devices.map((device) => `${ident('device')} = ${influxString(device)}`).join(' OR ');
    // One statement per field: with a single selector, InfluxQL returns the point's own time.
    const statements = wanted.map(
      (field) =>
        `SELECT last(${ident(field)}) AS "value" FROM ${MEASUREMENT} WHERE ${where} GROUP BY ${ident('device')}`,
    );
    const results = await this.query(statements.join('; '));
    results.forEach((statement, i) => {
      const field = wanted[i] as Quantity;
      for (const series of statement.series ?? []) {
        const device = series.tags?.['device'];
        const row = series.values[0];
        if (!device || !row || typeof row[1] !== 'number') continue;
        const values = result.get(device);
        if (values) values[field] = { ts: row[0] as number, value: row[1] };
      }
    });
    return result;
  }

  demand(query: DemandQuery): Promise<DemandPoint[]> {
    return demandOf(this, query);
  }

  async ping(): Promise<boolean> {
    try {
      await this.transport.request('/ping', '', { method: 'GET', headers: this.authHeaders() });
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    // Nothing is buffered beyond the callers still waiting; let them finish.
    await this.writer.drain();
  }
}

/** The cause is kept: storage/unavailable.ts tells a server that is away (503, retry) from a wrong request by it. */
function describe(error: unknown, what: string): Error {
  if (error instanceof HttpError)
    return new Error(
      `InfluxDB ${what} failed: HTTP ${error.statusCode} ${error.body || error.statusMessage || ''}`.trim(),
      { cause: error },
    );
  return new Error(`InfluxDB ${what} failed: ${(error as Error).message ?? String(error)}`, { cause: error });
}

export async function createInfluxSeriesStore(config: InfluxConfig, log: Logger): Promise<SeriesStore> {
  return new InfluxSeriesStore(config, log.child({ component: 'influx' }));
}
