/**
 * Overflow policy `fold-15min`: when the outbox is full, the oldest raw readings are
 * folded into 15-minute aggregates (fold-readings.ts) so that energy and demand evidence
 * survives an outage far longer than raw readings could; only when everything foldable
 * is folded and the outbox is still full are the oldest batches dropped, as drop-oldest
 * does. Everything is counted (reported under outbox.overflow in the gateway status):
 * readingsFolded, windowsFolded, bytesFreedByFolding, batchesMerged, and for the
 * fallback batchesDropped, readingsDropped, bytesDropped.
 *
 * How it walks the outbox, oldest first, one group of batches at a time:
 * - a group spans at least two windows of time (or a byte cap), so windows are complete;
 * - a device's readings are folded only below its own last window boundary in the group
 *   (readings arrive in time order per device, so no later batch can add to a window
 *   below it); its readings above stay raw, in the batch they were in, and join the
 *   next group: a window is never split between an aggregate and raw readings;
 * - aggregates are written into the group's first batches (chunks of at most
 *   AGGREGATE_CHUNK_BYTES, keeping their seq); batches left empty are deleted (their
 *   seq is never sent, as with a dropped batch);
 * - a group that would not shrink is left as it is.
 * Seqs keep their order and are never reused, so the cloud's (gateway, seq) rule holds.
 */
import type { Reading } from '@gridsafe/shared';
import type { OutboxBatch, OutboxStore, OverflowPolicy, SealedBatch } from '../types.js';
import { FOLD_WINDOW_MS, foldReadings } from './fold-readings.js';
import { dropOldestUntil } from './drop-oldest.js';

/** A group holds at least this much time, so most of its windows are complete. */
const GROUP_SPAN_MS = 2 * FOLD_WINDOW_MS;
/** ... or at most this many bytes of readings JSON (memory bound while folding). */
const GROUP_MAX_BYTES = 32 * 1024 * 1024;
/** Aggregates go into existing batches in chunks this size, so no batch grows past what the cloud accepts (MAX_BATCH_BYTES). */
const AGGREGATE_CHUNK_BYTES = 48 * 1024;

function sealed(readings: readonly Reading[]): SealedBatch {
  let firstTs = Number.POSITIVE_INFINITY;
  let lastTs = 0;
  for (const r of readings) {
    if (r.ts < firstTs) firstTs = r.ts;
    if (r.ts > lastTs) lastTs = r.ts;
  }
  return { readingsJson: JSON.stringify(readings), readingCount: readings.length, firstTs, lastTs };
}

function chunks(readings: readonly Reading[]): Reading[][] {
  const out: Reading[][] = [];
  let current: Reading[] = [];
  let bytes = 2;
  for (const reading of readings) {
    const size = JSON.stringify(reading).length + 1;
    if (current.length > 0 && bytes + size > AGGREGATE_CHUNK_BYTES) {
      out.push(current);
      current = [];
      bytes = 2;
    }
    current.push(reading);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** The oldest batches after the first `skip`, enough of them to span GROUP_SPAN_MS (or GROUP_MAX_BYTES). */
function nextGroup(store: OutboxStore, skip: number): OutboxBatch[] {
  for (let want = 64; ; want *= 4) {
    const batches = store.oldestBatches(skip + want).slice(skip);
    let bytes = 0;
    let first = Number.POSITIVE_INFINITY;
    let last = 0;
    for (const [i, b] of batches.entries()) {
      bytes += b.bytes;
      first = Math.min(first, b.firstTs);
      last = Math.max(last, b.lastTs);
      if (bytes >= GROUP_MAX_BYTES || last - first >= GROUP_SPAN_MS) return batches.slice(0, i + 1);
    }
    if (batches.length < want) return batches; // the whole outbox
  }
}

interface GroupPlan {
  /** New content per batch of the group (null: delete it). */
  contents: (Reading[] | null)[];
  freed: number;
  foldedReadings: number;
  windowsFolded: number;
  /** Index of the first batch still holding raw readings not yet foldable. */
  firstRaw: number;
}

function planGroup(group: readonly OutboxBatch[]): GroupPlan {
  const perBatch = group.map((b) => JSON.parse(b.readingsJson) as Reading[]);
  // Each device's last window boundary in the group: below it, its windows are complete.
  const boundary = new Map<string, number>();
  for (const readings of perBatch) {
    for (const r of readings)
      boundary.set(r.device, Math.max(boundary.get(r.device) ?? 0, Math.floor(r.ts / FOLD_WINDOW_MS) * FOLD_WINDOW_MS));
  }
  const foldable: Reading[] = [];
  const kept = perBatch.map((readings) =>
    readings.filter((r) => {
      if (r.ts < (boundary.get(r.device) as number)) {
        foldable.push(r);
        return false;
      }
      return true;
    }),
  );
  const { aggregates, foldedReadings, windowsFolded } = foldReadings(foldable);
  const pieces = chunks(aggregates);
  const contents = kept.map((rest, i) => {
    const readings = [...(pieces[i] ?? []), ...rest];
    return readings.length > 0 ? readings : null;
  });
  // More chunks than batches cannot happen (aggregates are no bigger than the readings they replace), but never lose one.
  for (let i = group.length; i < pieces.length; i += 1)
    (contents[group.length - 1] ??= []).push(...(pieces[i] as Reading[]));
  const before = group.reduce((n, b) => n + b.bytes, 0);
  const after = contents.reduce((n, c) => n + (c ? Buffer.byteLength(JSON.stringify(c)) : 0), 0);
  const firstRawIndex = kept.findIndex((rest) => rest.length > 0);
  return {
    contents,
    freed: before - after,
    foldedReadings,
    windowsFolded,
    firstRaw: firstRawIndex < 0 ? group.length : firstRawIndex,
  };
}

export class FoldPolicy implements OverflowPolicy {
  readonly name = 'fold-15min';
  /**
   * Per outbox: batches up to this seq hold only aggregates and raw readings already judged this
   * run; the walk resumes after them instead of re-reading the whole outbox on every
   * append (after a restart it starts again from the oldest, which is safe: folding is
   * idempotent).
   */
  private readonly foldedThrough = new WeakMap<OutboxStore, number>();

  makeRoom(store: OutboxStore, incomingBytes: number): void {
    let excess = store.totalBytes() + incomingBytes - store.maxBytes;
    if (excess <= 0) return;
    let skip = this.skipCount(store);
    // Terminates: each turn either frees bytes (folded readings shrink for good) or moves `skip` on.
    while (excess > 0) {
      const group = nextGroup(store, skip);
      if (group.length === 0) break;
      const plan = planGroup(group);
      if (plan.foldedReadings === 0 || plan.freed <= 0) {
        // Nothing to gain here. Batches before the first raw tail are final; a raw tail at
        // the very front (a device that went quiet) is passed over for this call only.
        if (plan.firstRaw > 0) this.markDone(store, group[plan.firstRaw - 1] as OutboxBatch);
        skip += Math.max(1, plan.firstRaw);
        continue;
      }
      const deleted: number[] = [];
      let doneSurvivors = 0;
      let lastDone: OutboxBatch | undefined;
      plan.contents.forEach((readings, i) => {
        const batch = group[i] as OutboxBatch;
        if (readings === null) {
          deleted.push(batch.seq);
          return;
        }
        store.replaceBatch(batch.seq, sealed(readings));
        if (i < plan.firstRaw) {
          doneSurvivors += 1;
          lastDone = batch;
        }
      });
      store.deleteBatches(deleted);
      store.count('readingsFolded', plan.foldedReadings);
      store.count('windowsFolded', plan.windowsFolded);
      store.count('bytesFreedByFolding', plan.freed);
      store.count('batchesMerged', deleted.length);
      excess -= plan.freed;
      if (lastDone) this.markDone(store, lastDone);
      skip += doneSurvivors;
    }
    if (excess > 0) dropOldestUntil(store, excess);
  }

  private markDone(store: OutboxStore, batch: OutboxBatch): void {
    this.foldedThrough.set(store, Math.max(this.foldedThrough.get(store) ?? 0, batch.seq));
  }

  /** How many of the oldest batches are at or below the outbox's done mark. */
  private skipCount(store: OutboxStore): number {
    const through = this.foldedThrough.get(store) ?? 0;
    if (through === 0) return 0;
    let skip = 0;
    for (let want = 256; ; want *= 4) {
      const batches = store.oldestBatches(want);
      skip = batches.findIndex((b) => b.seq > through);
      if (skip >= 0) return skip;
      if (batches.length < want) return batches.length;
    }
  }
}

export const fold15min = new FoldPolicy();
