/** Overflow policy `drop-oldest`: when the outbox is full, the oldest batches go first (counted). */
import type { OutboxStore, OverflowPolicy } from '../types.js';

/** Deletes the oldest batches until `excess` bytes are freed, counting what went (fold-15min's last resort too). */
export function dropOldestUntil(store: OutboxStore, excess: number): void {
  while (excess > 0) {
    const oldest = store.oldestBatches(64);
    if (oldest.length === 0) return; // nothing left to drop: the new batch is kept regardless
    const victims: number[] = [];
    for (const batch of oldest) {
      if (excess <= 0) break;
      victims.push(batch.seq);
      excess -= batch.bytes;
      store.count('batchesDropped', 1);
      store.count('readingsDropped', batch.readingCount);
      store.count('bytesDropped', batch.bytes);
    }
    store.deleteBatches(victims);
  }
}

export const dropOldest: OverflowPolicy = {
  name: 'drop-oldest',
  makeRoom(store: OutboxStore, incomingBytes: number): void {
    dropOldestUntil(store, store.totalBytes() + incomingBytes - store.maxBytes);
  },
};
