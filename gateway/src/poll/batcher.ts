/**
 * Collects readings into telemetry batches: a batch is sealed when it holds maxReadings,
 * when its JSON reaches maxBytes, or maxAge after its first reading, whichever comes
 * first. Each sealed batch is checked with the contract's own validator and handed to
 * the outbox, which gives it its seq.
 */
import type { Logger, Reading } from '@gridsafe/shared';
import { checkTelemetryBatch } from '@gridsafe/shared/contract/validate.js';
import type { SealedBatch } from '../outbox/types.js';

export interface BatcherOptions {
  gatewayId: string;
  maxAgeMs: number;
  maxReadings: number;
  maxBytes: number;
}

export class Batcher {
  private pieces: string[] = [];
  private readings: Reading[] = [];
  private bytes = 2;
  private firstTs = Number.POSITIVE_INFINITY;
  private lastTs = 0;
  private timer: NodeJS.Timeout | undefined;
  readonly counters = { readings: 0, values: 0, batches: 0, rejectedReadings: 0 };

  constructor(
    private readonly options: BatcherOptions,
    private readonly seal: (batch: SealedBatch) => void,
    private readonly log: Logger,
  ) {}

  add(reading: Reading): void {
    const json = JSON.stringify(reading);
    const extra = Buffer.byteLength(json) + 1;
    if (this.pieces.length > 0 && this.bytes + extra > this.options.maxBytes) this.flush();
    this.pieces.push(json);
    this.readings.push(reading);
    this.bytes += extra;
    if (reading.ts < this.firstTs) this.firstTs = reading.ts;
    if (reading.ts > this.lastTs) this.lastTs = reading.ts;
    this.counters.readings += 1;
    for (const _ in reading.values) this.counters.values += 1;
    if (this.pieces.length >= this.options.maxReadings || this.bytes >= this.options.maxBytes) this.flush();
    else if (!this.timer) this.timer = setTimeout(() => this.flush(), this.options.maxAgeMs);
  }

  /** Seals what is collected now (also on shutdown). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pieces.length === 0) return;
    let pieces = this.pieces;
    let readings = this.readings;
    this.pieces = [];
    this.readings = [];
    this.bytes = 2;
    let firstTs = this.firstTs;
    let lastTs = this.lastTs;
    this.firstTs = Number.POSITIVE_INFINITY;
    this.lastTs = 0;

    const checked = checkTelemetryBatch({ gateway: this.options.gatewayId, seq: 0, sentAt: Date.now(), readings });
    if (!checked.ok) {
      // Keep every reading that is sound; drop (and count, and log) only the ones that are not.
      const keep: number[] = [];
      readings.forEach((reading, i) => {
        const one = checkTelemetryBatch({
          gateway: this.options.gatewayId,
          seq: 0,
          sentAt: Date.now(),
          readings: [reading],
        });
        if (one.ok) keep.push(i);
        else {
          this.counters.rejectedReadings += 1;
          this.log.error(
            { device: reading.device, ts: reading.ts, reason: one.reason, problem: one.message },
            'a reading broke the wire contract and was dropped',
          );
        }
      });
      pieces = keep.map((i) => pieces[i]!);
      readings = keep.map((i) => readings[i]!);
      if (readings.length === 0) return;
      firstTs = Math.min(...readings.map((r) => r.ts));
      lastTs = Math.max(...readings.map((r) => r.ts));
    }
    this.counters.batches += 1;
    this.seal({ readingsJson: `[${pieces.join(',')}]`, readingCount: pieces.length, firstTs, lastTs });
  }

  stop(): void {
    this.flush();
  }
}
