/**
 * Ingest: one message from a gateway's uplink topic in, one outcome out.
 *
 * Telemetry is decoded and validated whole (rejected batches are counted by reason,
 * logged with what and where, and never half-stored); a batch already in the ledger
 * is acknowledged and ignored; otherwise it is stored, retrying while storage is
 * down (backpressure: the caller's PUBACK waits), recorded in the ledger, and handed
 * to detection. The promise resolves only once the batch is durable, so the broker
 * acknowledges after storage.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  checkGatewayEvent,
  checkGatewayStatus,
  decodeTelemetryPayload,
  parseJsonPayload,
  parseTopic,
  type GatewayEvent,
  type Logger,
  type RejectReason,
  type TelemetryBatch,
} from '@gridsafe/shared';
import type { SeriesStore } from '../storage/series/types.js';
import type { IngestLedger } from '../storage/relational/ingest-ledger.js';
import type { RegistryStore } from '../storage/relational/registry-store.js';
import type { SqlGatewayEventLog } from '../storage/relational/gateway-event-log.js';
import type { CloudMetrics } from '../metrics/metrics.js';
import { KeyedQueue } from './keyed-queue.js';

export type IngestOutcome =
  | { kind: 'stored'; gateway: string; seq: number; readings: number }
  | { kind: 'duplicate'; gateway: string; seq: number }
  | { kind: 'rejected'; reason: IngestRejectReason; message: string }
  | { kind: 'status' | 'event' | 'ignored' };

/**
 * Why a message was refused: the contract's validation reasons, a bad status or event,
 * and the registry's: a reading of a device registered to another gateway
 * (`foreign_device`), or of a device not registered at all (`unknown_device`). Either
 * refuses the whole batch, like any other fault: one gateway's secret never writes
 * another gateway's meters, and nothing is stored under a device id before an operator
 * has registered it (and said which gateway reads it).
 */
export const OWNERSHIP_REJECT_REASONS = ['foreign_device', 'unknown_device'] as const;
export type IngestRejectReason = RejectReason | 'bad_status' | 'bad_event' | (typeof OWNERSHIP_REJECT_REASONS)[number];

export interface IngestDependencies {
  series: SeriesStore;
  ledger: IngestLedger;
  registry: RegistryStore;
  gatewayEvents: SqlGatewayEventLog;
  metrics: CloudMetrics;
  /** Told of each newly stored batch and event: the in-process runner, or the cluster's partitions (a wake-up). */
  detection: { batchStored(batch: TelemetryBatch): void; event(event: GatewayEvent): void } | null;
  /** Told of each newly stored event: a gateway's answer to a command closes that command. */
  commands?: { gatewayEvent(event: GatewayEvent): Promise<void> };
  log: Logger;
  topicPrefix: string;
  /** Replaces the clock for the future-timestamp rule (tests). */
  now?: () => number;
}

/** Retry schedule while storage is down: the PUBACK waits, the gateway's outbox holds the rest. */
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5000;

export class StorageUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StorageUnavailableError';
  }
}

export class IngestPipeline {
  private readonly queue = new KeyedQueue();
  private closing = false;
  /** Last rejections, newest last, for the API (what went wrong recently, without reading logs). */
  readonly recentRejections: Array<{ at: number; gateway: string | null; reason: string; message: string }> = [];

  constructor(private readonly deps: IngestDependencies) {}

  get queueDepth(): number {
    return this.queue.depth;
  }

  /**
   * `contentType` is the MQTT 5 content type, when the sender gave one: with the topic
   * suffix it chooses the encoding (JSON or compact), as shared/src/codec/negotiate.ts says.
   */
  async handle(topic: string, payload: Uint8Array, contentType?: string): Promise<IngestOutcome> {
    const parsed = parseTopic(topic, this.deps.topicPrefix);
    if (!parsed) return { kind: 'ignored' };
    if (parsed.kind === 'telemetry') {
      const options = { expectedGateway: parsed.gateway, now: (this.deps.now ?? Date.now)() };
      const decoded = decodeTelemetryPayload(payload, parsed.encoding, contentType, options);
      if (!decoded.ok) return this.reject(parsed.gateway, decoded.reason, decoded.message, topic);
      // A JSON payload is kept as received for the ledger (no second serialisation).
      const json =
        decoded.encoding === 'json'
          ? Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8')
          : undefined;
      return this.queue.run(parsed.gateway, async () => {
        const refusal = await this.ownershipProblem(decoded.value);
        if (refusal) return this.reject(parsed.gateway, refusal.reason, refusal.message, topic);
        return this.store(decoded.value, json);
      });
    }
    if (parsed.kind === 'status') return this.status(parsed.gateway, payload);
    if (parsed.kind === 'events') return this.event(parsed.gateway, payload);
    return { kind: 'ignored' };
  }

  private reject(gateway: string | null, reason: IngestRejectReason, message: string, topic: string): IngestOutcome {
    this.deps.metrics.rejected.inc({ reason });
    this.deps.log.warn({ gateway, topic, reason, detail: message }, 'rejected a message from a gateway');
    this.recentRejections.push({ at: Date.now(), gateway, reason, message });
    if (this.recentRejections.length > 100) this.recentRejections.shift();
    return { kind: 'rejected', reason, message };
  }

  /** Whether every reading's device is registered to the gateway that sent the batch (null: yes). */
  private async ownershipProblem(
    batch: TelemetryBatch,
  ): Promise<{ reason: (typeof OWNERSHIP_REJECT_REASONS)[number]; message: string } | null> {
    const { registry } = this.deps;
    const checked = new Set<string>();
    for (const [index, reading] of batch.readings.entries()) {
      if (checked.has(reading.device)) continue;
      checked.add(reading.device);
      let device = registry.device(reading.device);
      // The snapshot may be older than another instance's edit: ask the database before refusing.
      if (device?.gateway !== batch.gateway)
        device = await this.retrying('check a device in the registry', { gateway: batch.gateway, seq: batch.seq }, () =>
          registry.reloadDevice(reading.device),
        );
      if (!device)
        return {
          reason: 'unknown_device',
          message: `readings/${index}/device "${reading.device}" is not registered (register it with gateway "${batch.gateway}" first)`,
        };
      if (device.gateway !== batch.gateway)
        return {
          reason: 'foreign_device',
          message: `readings/${index}/device "${reading.device}" is registered to gateway "${device.gateway}", not to "${batch.gateway}"`,
        };
    }
    return null;
  }

  /** Runs a step that needs a store until it succeeds, holding the batch (and its PUBACK) meanwhile. */
  private async retrying<T>(what: string, about: Record<string, unknown>, step: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await step();
      } catch (error) {
        this.deps.metrics.storeErrors.inc();
        if (this.closing)
          throw new StorageUnavailableError(`could not ${what} while shutting down: ${(error as Error).message}`);
        const wait = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** Math.min(attempt, 10));
        this.deps.log.error(
          { err: error, ...about, attempt, retryInMs: wait },
          `could not ${what}; holding the message (not acknowledged) and retrying`,
        );
        await sleep(wait);
      }
    }
  }

  private async store(batch: TelemetryBatch, json: string | undefined): Promise<IngestOutcome> {
    const { series, ledger, metrics, log } = this.deps;
    const started = performance.now();
    const about = { gateway: batch.gateway, seq: batch.seq };
    const outcome = await this.retrying('store a batch', about, async (): Promise<'stored' | 'duplicate'> => {
      // The backend keeps the ledger: batch and (gateway, seq) in one transaction.
      if (series.storeOnce) return series.storeOnce(batch, Date.now(), json ?? JSON.stringify(batch));
      if (await ledger.isKnown(batch.gateway, batch.seq)) return 'duplicate';
      // Readings are keyed by (device, ts), so writing again after a crash between
      // these two steps stores nothing twice; the ledger then records the batch once.
      await series.writeBatch(batch);
      return (await ledger.record(batch, Date.now(), json)) ? 'stored' : 'duplicate';
    });
    if (outcome === 'duplicate') {
      metrics.duplicates.inc();
      log.debug({ gateway: batch.gateway, seq: batch.seq }, 'batch already stored; acknowledged and ignored');
      return { kind: 'duplicate', gateway: batch.gateway, seq: batch.seq };
    }
    metrics.storeLatency.observe((performance.now() - started) / 1000);
    let values = 0;
    for (const reading of batch.readings) values += Object.keys(reading.values).length;
    metrics.batchesStored.inc();
    metrics.readingsStored.inc({}, batch.readings.length);
    metrics.valuesStored.inc({}, values);
    this.deps.detection?.batchStored(batch);
    return { kind: 'stored', gateway: batch.gateway, seq: batch.seq, readings: batch.readings.length };
  }

  private async status(gateway: string, payload: Uint8Array): Promise<IngestOutcome> {
    const json = parseJsonPayload(payload);
    const checked = json.ok ? checkGatewayStatus(json.value) : json;
    if (!checked.ok) return this.reject(gateway, 'bad_status', checked.message, `status of ${gateway}`);
    await this.retrying('record a gateway status', { gateway }, () =>
      this.deps.registry.recordGatewayStatus(gateway, checked.value as unknown as Record<string, unknown>, Date.now()),
    );
    return { kind: 'status' };
  }

  private async event(gateway: string, payload: Uint8Array): Promise<IngestOutcome> {
    const json = parseJsonPayload(payload);
    const checked = json.ok ? checkGatewayEvent(json.value) : json;
    if (!checked.ok) return this.reject(gateway, 'bad_event', checked.message, `events of ${gateway}`);
    const event: GatewayEvent = checked.value;
    if (event.gateway !== gateway) {
      return this.reject(
        gateway,
        'bad_event',
        `event names gateway "${event.gateway}" but came on the topic of "${gateway}"`,
        `events of ${gateway}`,
      );
    }
    const stored = await this.retrying('store a gateway event', { gateway, seq: event.seq }, () =>
      this.deps.gatewayEvents.append(event, Date.now()),
    );
    // A redelivered event (same gateway and seq) is not offered to detection twice.
    if (stored) {
      this.deps.detection?.event(event);
      // The event is stored either way; a command left open shows as sent in the API.
      this.deps.commands
        ?.gatewayEvent(event)
        .catch((error: unknown) =>
          this.deps.log.warn({ err: error, gateway }, "could not record a gateway's answer to a command"),
        );
    }
    return { kind: 'event' };
  }

  /** Stops retrying (pending stores fail so their PUBACK is never sent) and waits for in-flight work. */
  async close(): Promise<void> {
    this.closing = true;
    await this.queue.drain();
  }
}
